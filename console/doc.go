// Package console is Leadline's browser console for staff: sign-in by a
// one-time code texted to the person's phone in the program config,
// server-side sessions, CSRF protection, a strict Content-Security-Policy,
// and an append-only audit log. Pages are server-rendered html/template,
// embedded in the binary with their styles and the pinned front-end
// libraries (static/README.md); they work without JavaScript.
//
// Who may sign in follows the config's roles (program.Role.Staff): case
// managers, supervisors, program managers and intake staff. Officers,
// participants and unknown numbers cannot, and the sign-in form answers
// them exactly as it answers staff. What a signed-in person sees is their
// Viewer: their role and the cohorts program.CohortsOf gives them.
//
// Every key starts with leadline:{console}:, one hash tag, so each script
// runs unchanged on Redis Cluster. Tokens and numbers appear in keys only
// as SHA-256 hashes, so a copy of Redis holds no usable session or code.
//
//	leadline:{console}:attempt:<sha256(token)>        hash: one sign-in waiting for its code: person ("" when
//	                                                   the number is not staff's), code (a hash), tries,
//	                                                   expires (Unix ms, by the injected clock); Redis TTL
//	                                                   a little past CodeTTL as a backstop
//	leadline:{console}:rate:number:<sha256(n)>:<w>    string: codes asked for number n in 15-minute window w
//	leadline:{console}:rate:addr:<sha256(a)>:<w>      string: codes asked from client address a in window w
//	leadline:{console}:session:<sha256(id)>           hash: person, via (sms|oidc), created, seen (Unix ms);
//	                                                   TTL a little past IdleTimeout, renewed on each request
//	leadline:{console}:csrf                           string: the random key CSRF tokens are HMACs with
//	leadline:{console}:oidc:<sha256(state)>           hash: nonce, PKCE verifier of one single sign-on under way
//	leadline:{console}:ical:<sha256(token)>          hash: one calendar feed link: owner (person ID), feed
//	                                                   ("person:<id>" or "cohort:<id>"), made (Unix ms)
//	leadline:{console}:icals:<person>                 hash: that person's links, feed → "<sha256(token)> <made ms>"
//	leadline:{console}:audit                          stream: the audit log (Audit), IDs by the injected
//	                                                   clock, trimmed to program.Retention.Records
package console
