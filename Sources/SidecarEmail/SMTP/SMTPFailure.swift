import NIOCore
import NIOSSL
import SidecarCore

/// What a failed SMTP send means for the caller and for a retry.
struct SMTPFailure {
    var sidecarError: SidecarError
    /// 4xx replies and failures before the message was handed over may be tried again.
    var mayRetry: Bool
    /// The server refused with a reply, so the connection itself is fine after RSET.
    var leftConnectionUsable: Bool

    init(_ error: any Error, dataSent: Bool) {
        let provider = SMTPEmailProvider.providerName
        switch error {
        case SMTPProtocolError.recipientRejected(let address, let reply):
            let transient = reply.isTransient
            sidecarError = transient
                ? SidecarError(.providerError, "smtp deferred the recipient \(address): \(reply.code) \(reply.text)", provider: provider, providerStatus: reply.code, retryable: true)
                : SidecarError(.invalidRequest, "to: the smtp server refused \(address): \(reply.code) \(reply.text)", provider: provider, providerStatus: reply.code)
            mayRetry = transient
            leftConnectionUsable = true
        case SMTPProtocolError.rejected(let step, let reply):
            let transient = reply.isTransient
            if step == "AUTH" {
                sidecarError = SidecarError(
                    .providerError, "smtp refused the configured credentials: \(reply.code) \(reply.text)", provider: provider,
                    providerStatus: reply.code, retryable: transient)
            } else {
                sidecarError = SidecarError(
                    .providerError, "smtp refused \(step): \(reply.code) \(reply.text)", provider: provider, providerStatus: reply.code,
                    retryable: transient)
            }
            mayRetry = transient
            leftConnectionUsable = step != "AUTH" && step != "EHLO" && step != "greeting" && step != "STARTTLS"
        case SMTPProtocolError.refused(let reason, let code):
            sidecarError = SidecarError(.providerError, "smtp: \(reason)", provider: provider, providerStatus: code)
            mayRetry = false
            leftConnectionUsable = false
        case SMTPTransportError.timedOut:
            sidecarError = SidecarError(.providerTimeout, "smtp did not answer in time", provider: provider, retryable: !dataSent)
            mayRetry = !dataSent
            leftConnectionUsable = false
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError:
            sidecarError = SidecarError(
                .providerError, "smtp: the TLS handshake failed (certificate or hostname not trusted): \(error)", provider: provider)
            mayRetry = false
            leftConnectionUsable = false
        default:
            // Connection refused, reset or closed. After the final dot the server may have the
            // message: never repeat it, and do not fail over either.
            sidecarError = dataSent
                ? SidecarError(.providerError, "smtp closed the connection after the message was sent; it may have been delivered", provider: provider)
                : SidecarError(.providerUnavailable, "smtp is unreachable", provider: provider, retryable: true)
            mayRetry = !dataSent
            leftConnectionUsable = false
        }
    }
}
