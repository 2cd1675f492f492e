"""Names perfgate's importers redact (src/workload/headers.ts); a test keeps the two in step."""

CONNECTION_HEADERS = (
    "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
    "upgrade", "content-length",
)
DROPPED_ON_IMPORT = CONNECTION_HEADERS + ("host",)
CREDENTIAL_HEADERS = ("authorization", "proxy-authorization", "cookie", "set-cookie")
CREDENTIAL_PARAMS = (
    "token", "access_token", "refresh_token", "id_token", "auth", "auth_token", "api_key",
    "apikey", "api-key", "password", "passwd", "pwd", "secret", "client_secret", "session",
    "sessionid", "session_id", "jwt", "sig", "signature", "x-amz-signature",
    "x-amz-credential", "x-amz-security-token",
)
REDACTED = "REDACTED"
