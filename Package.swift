// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "sidecar",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sidecar", targets: ["sidecar"]),
        .executable(name: "sidecar-loadgen", targets: ["sidecar-loadgen"]),
        .library(name: "SidecarCore", targets: ["SidecarCore"]),
        .library(name: "SidecarServer", targets: ["SidecarServer"]),
        .library(name: "SidecarStorage", targets: ["SidecarStorage"]),
        .library(name: "SidecarEmail", targets: ["SidecarEmail"]),
        .library(name: "SidecarWebhooks", targets: ["SidecarWebhooks"]),
        .library(name: "SidecarPayments", targets: ["SidecarPayments"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
    ],
    targets: [
        // Config, secrets, provider protocols, unified models, errors, HTTP transport, registry.
        .target(
            name: "SidecarCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Persistence behind protocols: SQLite (embedded default) and PostgreSQL (shared by replicas).
        .target(
            name: "SidecarStore",
            dependencies: [
                "SidecarCore",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Email family: one folder per vendor.
        .target(
            name: "SidecarEmail",
            dependencies: [
                "SidecarCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Storage family: one folder per vendor, plus the SigV4 signer S3 and R2 share.
        .target(
            name: "SidecarStorage",
            dependencies: [
                "SidecarCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Payments family: Stripe, and the offline sandbox with its checkout and portal pages.
        .target(
            name: "SidecarPayments",
            dependencies: [
                "SidecarCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ]
        ),
        // Auth family: the built-in accounts, Auth0 and Clerk.
        .target(
            name: "SidecarAuth",
            dependencies: [
                "SidecarCore",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Monitoring family: Sentry, Datadog and console behind one batching pipeline.
        .target(
            name: "SidecarMonitoring",
            dependencies: [
                "SidecarCore",
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // API keys for the application's own customers: issue, hash, verify, rotate, revoke.
        .target(
            name: "SidecarAPIKeys",
            dependencies: [
                "SidecarCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Inbound webhooks: vendor signature verifiers, durable intake, delivery to the application.
        .target(
            name: "SidecarWebhooks",
            dependencies: [
                "SidecarCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The few Linux calls Swift's Glibc module does not expose (prctl, SO_PEERCRED).
        .target(name: "CSidecarSystem"),
        // Routes, middleware, listeners, lifecycle.
        .target(
            name: "SidecarServer",
            dependencies: [
                "SidecarCore",
                "SidecarStore",
                "SidecarEmail",
                "SidecarStorage",
                "SidecarPayments",
                "SidecarWebhooks",
                "SidecarAuth",
                "SidecarMonitoring",
                "SidecarAPIKeys",
                "CSidecarSystem",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The thin command-line entry point.
        .executableTarget(
            name: "sidecar",
            dependencies: [
                "SidecarServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The load generator of the benchmarks (scripts/bench.sh).
        .executableTarget(
            name: "sidecar-loadgen",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The benchmarks' reference servers: the floor, and a fast Resend-shaped fake vendor.
        .executableTarget(
            name: "sidecar-bench-server",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "SidecarCoreTests",
            dependencies: ["SidecarCore", "SidecarServer"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "SidecarEmailTests",
            dependencies: ["SidecarEmail", "SidecarCore"]
        ),
        .testTarget(
            name: "SidecarStoreTests",
            dependencies: ["SidecarStore"]
        ),
        .testTarget(
            name: "SidecarStorageTests",
            dependencies: [
                "SidecarStorage",
                "SidecarServer",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "SidecarPaymentsTests",
            dependencies: ["SidecarPayments", "SidecarCore", "SidecarStore"]
        ),
        .testTarget(
            name: "SidecarWebhooksTests",
            dependencies: ["SidecarWebhooks", "SidecarStore"]
        ),
        .testTarget(
            name: "SidecarServerTests",
            dependencies: [
                "SidecarServer",
                "SidecarStorage",
                "SidecarPayments",
                "SidecarWebhooks",
                "SidecarStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ]
)

// One language mode and the same upcoming features for every target.
for target in package.targets where target.type != .system && target.name != "CSidecarSystem" {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
