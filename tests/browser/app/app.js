// The app: sign up, show who is signed in, sign out; all through the SDK.
// ?api=<authd base URL>; ?csrf=off uses the stock fetch adapter, which never
// sends the CSRF header.
import { AuthClient, FetchAdapter } from '@ackplus/nest-auth-client';

const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);

function readCookie(name) {
  const prefix = name + '=';
  const found = document.cookie.split('; ').find((c) => c.startsWith(prefix));
  return found ? decodeURIComponent(found.slice(prefix.length)) : null;
}

// What docs/browser-apps.md tells apps to add: authd (like nest-auth) wants
// the CSRF cookie's value repeated in x-csrf-token on cookie-authenticated
// POSTs, and rotates the cookie on every token response, so the header is
// read from the cookie when each request is sent (retries included).
class CsrfFetchAdapter extends FetchAdapter {
  request(options) {
    const token = readCookie('nest_auth_csrf');
    if (!token) return super.request(options);
    return super.request({ ...options, headers: { ...options.headers, 'x-csrf-token': token } });
  }
}

const client = new AuthClient({
  baseUrl: params.get('api'),
  accessTokenType: 'cookie',
  httpAdapter: params.get('csrf') === 'off' ? new FetchAdapter() : new CsrfFetchAdapter(),
});

let refreshes = 0;
client.onTokenRefreshed(() => { $('refreshes').textContent = String(++refreshes); });

function describe(err) {
  return err && err.statusCode !== undefined
      ? `${err.statusCode || 'network error'}: ${err.message}` : String(err);
}

async function showUser() {
  $('status').textContent = 'Checking…';
  try {
    const me = await client.getSessionUserData();
    $('status').textContent = `Signed in as ${me.email}`;
  } catch (err) {
    $('status').textContent = 'Signed out';
    if (err.statusCode !== 401) $('error').textContent = describe(err);
  }
}

$('signup-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('error').textContent = '';
  $('status').textContent = 'Checking…';
  try {
    await client.signup({ email: $('email').value, password: $('password').value });
    await showUser();
  } catch (err) {
    $('error').textContent = `Sign-up failed (${describe(err)})`;
    $('status').textContent = 'Signed out';
  }
});
$('whoami').addEventListener('click', () => { $('error').textContent = ''; showUser(); });
$('logout').addEventListener('click', async () => {
  $('status').textContent = 'Signing out…';
  await client.logout();  // the SDK ignores a failed logout
  $('status').textContent = 'Signed out';
});

showUser();
