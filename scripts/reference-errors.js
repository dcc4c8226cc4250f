#!/usr/bin/env node
// Extracts the reference's wire errors from its compiled package, for the
// catalogue test (src/core/errors_test.cc) and the validation e2e test
// (tests/e2e/test_validation_table.py).
//
//   node scripts/reference-errors.js [NEST_REF_DIR]
//
// NEST_REF_DIR is a directory whose node_modules holds @ackplus/nest-auth
// and its host's dependencies (default ../shared/anchors/nest-ref). Writes
//  - tests/data/reference_errors.json: every `throw new XException(...)`
//    of the package's dist/: code -> [{status, error, message, sites}],
//    plus the code-less (plain message) errors. Messages built from
//    template literals keep their `${...}` parts as written.
//  - tests/data/reference_validation.json: the request DTOs run through the
//    reference host's ValidationPipe (whitelist:false,
//    forbidNonWhitelisted:true, transform:true, enableImplicitConversion)
//    for the inputs listed in CASES below: every message, in order, or
//    null when the body passes.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const refDir = path.resolve(process.argv[2] || path.join(root, '..', 'shared', 'anchors', 'nest-ref'));
const req = (m) => require(require.resolve(m, { paths: [refDir] }));
const ts = req('typescript');
const pkgDir = path.dirname(require.resolve('@ackplus/nest-auth/package.json', { paths: [refDir] }));
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
const dist = path.join(pkgDir, 'dist');

// ---- error codes: ERROR_CODES.X and friends are X (checked below).
const constants = require(path.join(dist, 'lib', 'auth.constants.js'));

const STATUS = {
  BadRequestException: 400, UnauthorizedException: 401, ForbiddenException: 403,
  NotFoundException: 404, ConflictException: 409, InternalServerErrorException: 500,
  ServiceUnavailableException: 503, PayloadTooLargeException: 413,
};
const HTTP_STATUS = { TOO_MANY_REQUESTS: 429 };
const REASON = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
  409: 'Conflict', 413: 'Payload Too Large', 429: 'Too Many Requests',
  500: 'Internal Server Error', 503: 'Service Unavailable',
};

function listJs(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listJs(p));
    else if (e.name.endsWith('.js')) out.push(p);
  }
  return out.sort();
}

// The texts a message expression can have: string literals as they are,
// template literals with their substitutions written `${...}`, both sides
// of `c ? a : b` and `a || b`, literal `a + b` joined; anything else `<expr>`.
function messageTexts(node, sf) {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (ts.isTemplateExpression(node)) {
    let s = node.head.text;
    for (const span of node.templateSpans) {
      s += '${' + span.expression.getText(sf) + '}' + span.literal.text;
    }
    return [s];
  }
  if (ts.isParenthesizedExpression(node)) return messageTexts(node.expression, sf);
  if (ts.isConditionalExpression(node)) {
    return [...messageTexts(node.whenTrue, sf), ...messageTexts(node.whenFalse, sf)];
  }
  if (ts.isBinaryExpression(node)) {
    const op = node.operatorToken.kind;
    if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) {
      return [...messageTexts(node.left, sf), ...messageTexts(node.right, sf)];
    }
    if (op === ts.SyntaxKind.PlusToken) {
      const l = messageTexts(node.left, sf);
      const r = messageTexts(node.right, sf);
      if (l.length === 1 && r.length === 1) return [l[0] + r[0]];
    }
  }
  return ['<' + node.getText(sf) + '>'];
}

function codeText(node, sf) {
  if (ts.isStringLiteral(node)) return node.text;
  if (ts.isPropertyAccessExpression(node)) {
    const group = node.expression.getText(sf).replace(/^.*\./, '');
    const name = node.name.text;
    const value = constants[group] && constants[group][name];
    if (typeof value !== 'string') throw new Error(`unresolved code ${node.getText(sf)}`);
    return value;
  }
  return '<' + node.getText(sf) + '>';
}

function exceptionName(expr) {
  if (ts.isPropertyAccessExpression(expr)) return expr.name.text;
  if (ts.isIdentifier(expr)) return expr.text;
  return null;
}

// A throw inside a helper `function reject(message, code)`: the argument
// lists of every call of it in the same file, as {param name -> node}.
function helperCalls(node, sf) {
  let fn = node.parent;
  while (fn && !ts.isFunctionDeclaration(fn)) fn = fn.parent;
  if (!fn || !fn.name) return null;
  const params = fn.parameters.map((p) => p.name.getText(sf));
  const calls = [];
  const visit = (n) => {
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) &&
        n.expression.text === fn.name.text) {
      const bound = {};
      params.forEach((p, i) => { bound[p] = n.arguments[i]; });
      calls.push({ bound, line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1 });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return calls;
}

const coded = {};
const plain = [];
const objectPlain = [];

function record(list, entry, site) {
  let e = list.find((x) => x.status === entry.status && x.error === entry.error &&
                           x.message === entry.message);
  if (!e) {
    e = { ...entry, sites: [] };
    list.push(e);
  }
  e.sites.push(site);
}

for (const file of listJs(dist)) {
  const text = fs.readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const rel = path.relative(dist, file);
  const visit = (node) => {
    if (ts.isNewExpression(node)) {
      const cls = exceptionName(node.expression);
      if (cls && (cls in STATUS || cls === 'HttpException')) {
        const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
        const site = `${rel}:${line}`;
        const args = node.arguments || [];
        let status = STATUS[cls];
        if (cls === 'HttpException') {
          const s = args[1] && args[1].getText(sf).replace(/^.*\./, '');
          status = HTTP_STATUS[s] || Number(s);
        }
        const arg = args[0];
        if (arg && ts.isObjectLiteralExpression(arg)) {
          const props = {};
          for (const p of arg.properties) {
            if (ts.isPropertyAssignment(p)) props[p.name.getText(sf)] = p.initializer;
            else if (ts.isShorthandPropertyAssignment(p)) props[p.name.text] = p.name;
          }
          // Parameters of a helper: one entry per call of the helper.
          let bindings = [{ bound: {}, line }];
          const isParam = (n) => n && ts.isIdentifier(n);
          if (isParam(props.code) || isParam(props.message)) {
            const calls = helperCalls(node, sf);
            if (calls && calls.length) bindings = calls;
          }
          for (const b of bindings) {
            const pick = (n) => (n && ts.isIdentifier(n) && b.bound[n.text]) || n;
            const at = `${rel}:${b.line}`;
            const codeNode = pick(props.code);
            const messageNode = pick(props.message);
            if (codeNode) {
              const code = codeText(codeNode, sf);
              // An object payload: `error` is the class name (spec errors.md §1).
              for (const message of messageNode ? messageTexts(messageNode, sf) : [null]) {
                record(coded[code] = coded[code] || [], { status, error: cls, message }, at);
              }
            } else {
              // An object payload without a code: sent as the object itself.
              for (const message of messageNode ? messageTexts(messageNode, sf) : [null]) {
                record(objectPlain, { status, message }, at);
              }
            }
          }
        } else if (arg) {
          for (const message of messageTexts(arg, sf)) {
            record(plain, { status, error: REASON[status], message }, site);
          }
        } else {
          record(plain, { status, error: REASON[status], message: REASON[status] }, site);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

const sorted = {};
for (const k of Object.keys(coded).sort()) sorted[k] = coded[k];
plain.sort((a, b) => a.status - b.status || a.message.localeCompare(b.message));

// class-validator's default messages, per decorator, as its compiled
// decorators build them (`$property`, `$constraint1`, ... placeholders).
const cvDir = path.join(path.dirname(require.resolve('class-validator/package.json', { paths: [refDir] })),
                        'cjs', 'decorator');
const cvPkg = JSON.parse(fs.readFileSync(path.join(cvDir, '..', '..', 'package.json'), 'utf8'));
const classValidator = {};
for (const file of listJs(cvDir)) {
  const m = /buildMessage\)\(eachPrefix => eachPrefix \+ '([^']*)'/.exec(fs.readFileSync(file, 'utf8'));
  if (m) classValidator[path.basename(file, '.js')] = m[1];
}
// Custom constraints of the reference's DTOs (their defaultMessage()).
for (const file of listJs(path.join(dist, 'lib', 'auth', 'dto'))) {
  const text = fs.readFileSync(file, 'utf8');
  const re = /defaultMessage\([^)]*\) \{\s*return '([^']*)';[\s\S]*?ValidatorConstraint\)\(\{ name: '([^']+)'/g;
  for (let m; (m = re.exec(text));) classValidator[m[2]] = m[1];
}

const header = {
  reference: { package: pkg.name, version: pkg.version },
  generatedBy: 'scripts/reference-errors.js',
};
const dataDir = path.join(root, 'tests', 'data');
fs.mkdirSync(dataDir, { recursive: true });
fs.writeFileSync(path.join(dataDir, 'reference_errors.json'),
                 JSON.stringify({ ...header, classValidatorVersion: cvPkg.version, coded: sorted, plain, objectPlain,
                                   classValidator }, null, 1) + '\n');

// ---- validation: the DTOs through the host's ValidationPipe.
req('reflect-metadata');
const { ValidationPipe } = req('@nestjs/common');
const pipe = new ValidationPipe({
  whitelist: false,
  forbidNonWhitelisted: true,
  transform: true,
  transformOptions: { enableImplicitConversion: true },
});
const dto = (file, name) => require(path.join(dist, 'lib', 'auth', 'dto', 'requests', file))[name];

const UUID = '123e4567-e89b-12d3-a456-426614174000';
const PW = 'Str0ng!Passw0rd';
// [dto file, class, [case name, body]...]. POST /auth/mfa/challenge reads
// `method` alone (@Body('method')): no DTO validation there.
const CASES = [
  ['signup.request.dto.js', 'NestAuthSignupRequestDto', [
    ['empty', {}],
    ['email_only', { email: 'a@example.com' }],
    ['bad_email', { email: 'nope', password: PW }],
    ['empty_email', { email: '', password: PW }],
    ['numeric_email', { email: 123, password: PW }],
    ['short_password', { email: 'a@example.com', password: 'short' }],
    ['numeric_password', { email: 'a@example.com', password: 12345678 }],
    ['phone_only', { phone: '+14155550123', password: PW }],
    ['empty_phone', { phone: '', password: PW }],
    ['phone_and_bad_email', { phone: '+14155550123', email: 'nope', password: PW }],
    ['array_phone', { phone: ['+14155550123'], password: PW }],
    ['numeric_tenant', { email: 'a@example.com', password: PW, tenantId: 5 }],
    ['bad_guard', { email: 'a@example.com', password: PW, guard: [1] }],
    ['remember_string', { email: 'a@example.com', password: PW, rememberMe: 'yes' }],
  ]],
  ['login.request.dto.js', 'NestAuthLoginRequestDto', [
    ['empty', {}],
    ['no_credentials', { providerName: 'email' }],
    ['credentials_string', { providerName: 'email', credentials: 'x' }],
    ['numeric_provider', { providerName: 5, credentials: {} }],
    ['array_provider', { providerName: ['email'], credentials: {} }],
    ['numeric_tenant', { providerName: 'email', credentials: {}, tenantId: 5 }],
    ['bad_tenant', { providerName: 'email', credentials: {}, tenantId: 'nope' }],
    ['remember_string', { providerName: 'email', credentials: {}, rememberMe: 'yes' }],
    ['create_string', { providerName: 'email', credentials: {}, createUserIfNotExists: 'yes' }],
    ['ok', { providerName: 'email', credentials: { email: 'a@example.com', password: PW } }],
  ]],
  ['refresh-token.request.dto.js', 'NestAuthRefreshTokenRequestDto', [
    ['empty', {}],
    ['numeric', { refreshToken: 5 }],
    ['array', { refreshToken: ['x'] }],
    ['remember_string', { refreshToken: 'x', rememberMe: 'yes' }],
  ]],
  ['change-password.request.dto.js', 'NestAuthChangePasswordRequestDto', [
    ['empty', {}],
    ['short_current', { currentPassword: 'x', newPassword: PW }],
    ['same', { currentPassword: PW, newPassword: PW }],
    ['short_new', { currentPassword: PW, newPassword: 'x' }],
    ['numeric_new', { currentPassword: PW, newPassword: 123456789 }],
    ['numeric_current', { currentPassword: 123456789, newPassword: PW }],
  ]],
  ['forgot-password.request.dto.js', 'NestAuthForgotPasswordRequestDto', [
    ['empty', {}],
    ['bad_email', { email: 'nope' }],
    ['bad_phone', { phone: '12' }],
    ['empty_phone', { phone: '' }],
    ['bad_tenant', { email: 'a@example.com', tenantId: 'nope' }],
  ]],
  ['verify-forgot-password-otp-request-dto.js', 'NestAuthVerifyForgotPasswordOtpRequestDto', [
    ['empty', {}],
    ['no_code', { email: 'a@example.com' }],
    ['numeric_code', { email: 'a@example.com', code: 123456 }],
    ['bad_email', { email: 'nope', code: '123456' }],
    ['phone_any_string', { phone: '12', code: '123456' }],
    ['bad_tenant', { email: 'a@example.com', code: '123456', tenantId: 'nope' }],
  ]],
  ['reset-password-with-token.request.dto.js', 'NestAuthResetPasswordWithTokenRequestDto', [
    ['empty', {}],
    ['no_password', { token: 'abc' }],
    ['short_password', { token: 'abc', newPassword: 'x' }],
    ['numeric_token', { token: 5, newPassword: PW }],
    ['numeric_password', { token: 'abc', newPassword: 123456789 }],
  ]],
  ['verify-email.request.dto.js', 'NestAuthVerifyEmailRequestDto', [
    ['empty', {}],
    ['numeric_code', { code: 123456 }],
    ['bad_tenant', { code: '123456', tenantId: 'nope' }],
  ]],
  ['verify-phone.request.dto.js', 'NestAuthVerifyPhoneRequestDto', [
    ['empty', {}],
    ['bad_tenant', { code: '123456', tenantId: 'nope' }],
  ]],
  ['send-email-verification.request.dto.js', 'NestAuthSendEmailVerificationRequestDto', [
    ['empty', {}],
    ['bad_tenant', { tenantId: 'nope' }],
  ]],
  ['send-phone-verification.request.dto.js', 'NestAuthSendPhoneVerificationRequestDto', [
    ['empty', {}],
    ['bad_tenant', { tenantId: 'nope' }],
  ]],
  ['switch-tenant.request.dto.js', 'NestAuthSwitchTenantRequestDto', [
    ['empty', {}],
    ['bad_tenant', { tenantId: 'nope' }],
    ['ok', { tenantId: UUID }],
  ]],
  ['toggle-mfa.request.dto.js', 'NestAuthToggleMfaRequestDto', [
    ['empty', {}],
    ['null', { enabled: null }],
    ['string', { enabled: 'yes' }],
    ['number', { enabled: 1 }],
    ['ok', { enabled: true }],
  ]],
  ['setup-totp.request.dto.js', 'NestAuthSetupTotpRequestDto', [
    ['empty', {}],
    ['long_label', { label: 'x'.repeat(200) }],
    ['numeric_name', { deviceName: 5 }],
    ['array_name', { deviceName: [1] }],
  ]],
  ['verify-totp-setup.request.dto.js', 'NestAuthVerifyTotpSetupRequestDto', [
    ['empty', {}],
    ['numeric', { otp: 123456, secret: 5 }],
    ['no_secret', { otp: '123456' }],
    ['empty_strings', { otp: '', secret: '' }],
    ['arrays', { otp: ['1'], secret: [] }],
  ]],
  ['verify-2fa.request.dto.js', 'NestAuthVerify2faRequestDto', [
    ['empty', {}],
    ['bad_method', { method: 'pigeon', otp: '123456' }],
    ['no_otp', { method: 'totp' }],
    ['numeric_otp', { method: 'totp', otp: 123456 }],
    ['trust_string', { method: 'totp', otp: '123456', trustDevice: 'yes' }],
  ]],
  ['verify-recovery-code.request.dto.js', 'NestAuthVerifyRecoveryCodeRequestDto', [
    ['empty', {}],
    ['numeric', { code: 12345 }],
    ['trust_string', { code: 'abc', trustDevice: 'yes' }],
  ]],
];

async function runCases() {
  const out = [];
  for (const [file, cls, cases] of CASES) {
    const metatype = dto(file, cls);
    if (!metatype) throw new Error(`no ${cls} in ${file}`);
    for (const [name, body] of cases) {
      let messages = null;
      try {
        await pipe.transform(JSON.parse(JSON.stringify(body)), { type: 'body', metatype });
      } catch (e) {
        const r = e.getResponse ? e.getResponse() : { message: [String(e)] };
        messages = Array.isArray(r.message) ? r.message : [r.message];
      }
      out.push({ dto: cls, case: name, body, messages });
    }
  }
  return out;
}

runCases().then((cases) => {
  fs.writeFileSync(path.join(dataDir, 'reference_validation.json'),
                   JSON.stringify({ ...header, cases }, null, 1) + '\n');
  const n = Object.values(sorted).reduce((a, l) => a + l.length, 0);
  console.log(`reference ${pkg.name} ${pkg.version}: ${Object.keys(sorted).length} codes ` +
              `(${n} variants), ${plain.length} plain messages, ${objectPlain.length} code-less objects, ` +
              `${cases.length} validation cases`);
}).catch((e) => {
  console.error(e);
  process.exit(1);
});
