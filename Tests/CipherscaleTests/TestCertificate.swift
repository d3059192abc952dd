import NIOSSL

/// A self-signed certificate for `localhost` and `127.0.0.1`, valid 2024–2124, for the TLS tests only.
enum TestCertificate {
    static let certificatePEM = """
        -----BEGIN CERTIFICATE-----
        MIIBiTCCAS+gAwIBAgIBATAKBggqhkjOPQQDAjAUMRIwEAYDVQQDDAlsb2NhbGhv
        c3QwIBcNMjQwMTAxMDAwMDAwWhgPMjEyNDAxMDEwMDAwMDBaMBQxEjAQBgNVBAMM
        CWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABEbZpMZ/0AfBtdnL
        7WM/wYs7vyOmPRH+T5KPWmsv97LlU8o2oGaz4Q4tMNIEvqv5udfO1nppSKrMrMAH
        ssqGt9yjcDBuMBoGA1UdEQQTMBGCCWxvY2FsaG9zdIcEfwAAATAPBgNVHRMBAf8E
        BTADAQH/MAsGA1UdDwQEAwIChDATBgNVHSUEDDAKBggrBgEFBQcDATAdBgNVHQ4E
        FgQUKXipMkaqhcVm6xSB/vpOb1SedZ4wCgYIKoZIzj0EAwIDSAAwRQIgSPpKvSYx
        ohohBokJzP0E1in5GbM2B/RNqxOC3gC5y3cCIQDGQIc648Ovw2BnshIedKTOu0tx
        vO675KV4+LYCMWC1rQ==
        -----END CERTIFICATE-----
        """
    static let privateKeyPEM = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjKLnyrFxF75ES1sa
        SRJDJIWSUK9/U/mfDDQHvObMuf2hRANCAARG2aTGf9AHwbXZy+1jP8GLO78jpj0R
        /k+Sj1prL/ey5VPKNqBms+EOLTDSBL6r+bnXztZ6aUiqzKzAB7LKhrfc
        -----END PRIVATE KEY-----
        """

    static func certificate() throws -> NIOSSLCertificate {
        try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem)
    }

    static func serverContext() throws -> NIOSSLContext {
        let key = try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try certificate())], privateKey: .privateKey(key))
        return try NIOSSLContext(configuration: configuration)
    }

    /// A client configuration that fully verifies the server against this certificate only.
    static func trustingClient() throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try certificate()])
        return tls
    }
}
