import HummingbirdTLS

extension SecurityOptions.TLS {
    /// The server side of `--tls-cert`/`--tls-key` (PEM files), read once at
    /// start so that a bad file stops the server before it listens.
    func serverConfiguration() throws -> TLSConfiguration {
        guard let certificatePath, let keyPath else { throw SecurityConfigError.invalid("security.tls", "needs cert and key") }
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw SecurityConfigError.invalid("security.tls", "cannot load \(certificatePath) / \(keyPath): \(error)")
        }
        guard !chain.isEmpty else { throw SecurityConfigError.invalid("security.tls", "no certificate in \(certificatePath)") }
        return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
    }
}
