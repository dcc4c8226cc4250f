// SMTP transport: delivers Channel::kEmail messages through one SMTP
// relay with libcurl (STARTTLS or implicit TLS, optional AUTH).
//
// Each Send opens its own connection (no pooling: the outbox sends a few
// messages a second at most), so Send is safe to call concurrently.
// Errors, as courier/transport.h asks: kInvalidArgument for a message that
// can never be delivered (recipient or subject unsafe for a header, a
// recipient without '@', a 5xx reply to RCPT TO or to the message data);
// kUnavailable for everything worth a retry (connect failure, timeout,
// TLS or AUTH failure, 4xx replies, a 5xx to MAIL FROM, which is about our
// sender and not this message). Error::debug carries curl's text, never
// the password.
#ifndef AUTHD_DELIVERY_SMTP_TRANSPORT_H_
#define AUTHD_DELIVERY_SMTP_TRANSPORT_H_

#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "courier/courier_options.h"
#include "courier/message.h"
#include "courier/transport.h"

namespace authd::delivery {

// `clock` dates the messages (the Date header); it must outlive the
// transport. Initialises libcurl globally on first use.
std::unique_ptr<courier::Transport> NewSmtpTransport(
    const courier::SmtpOptions& options, const core::Clock& clock = core::SystemClock());

// Ok iff `m` can be put into headers safely: the recipient has a local
// part, an '@' and a domain, and neither it nor the subject holds CR, LF,
// NUL or other control characters; the recipient has no spaces, '<', '>',
// ',' or ';' either (one plain address). kInvalidArgument otherwise.
core::Status CheckEmailHeaders(const courier::OutboxMessage& m);

// The address part of a From value: inside the last <...>, else the whole
// value, blanks trimmed. "authd <no-reply@localhost>" -> "no-reply@localhost".
std::string EmailAddress(std::string_view from);

// The RFC 5322 message for `m`: Date (`now`), From (`from`), To, Subject
// (RFC 2047 B-encoded words when not plain ASCII), Message-ID
// "<{m.id}@authd>", Auto-Submitted, MIME-Version, Content-Type text/plain
// utf-8, then the body, every line ending in CRLF. The body goes as 7bit
// when it is ASCII with lines of at most 998 bytes, else quoted-printable.
// Should CheckEmailHeaders not have been called, line breaks in header
// values still come out as spaces: no header can be injected.
std::string FormatEmail(const courier::OutboxMessage& m, std::string_view from,
                        core::UnixMillis now);

}  // namespace authd::delivery

#endif  // AUTHD_DELIVERY_SMTP_TRANSPORT_H_
