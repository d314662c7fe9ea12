// swift-tools-version:6.1
import PackageDescription

// Micro-benchmarks of the daemon's hot pieces, with ordo-one/benchmark. A package of its own so
// that the root package's `swift build` and `swift test` (and CI) never build them.
//
// Run from the repository root: `swift package --package-path Benchmarks benchmark`.
// On Swift 6.3 the malloc counts come from ordo-one/malloc-interposer, the `MallocInterposer`
// trait; no jemalloc is needed. Naming only that trait leaves out the default
// `RuntimeInterposer` trait, whose package (swift-runtime-interposer) is not in the mirror.
let package = Package(
    name: "sidecar-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // `name:` because a path dependency's identity is its folder's name, which differs by checkout.
        .package(name: "sidecar", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        .executableTarget(
            name: "EmailBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SidecarCore", package: "sidecar"),
                .product(name: "SidecarEmail", package: "sidecar"),
            ],
            path: "EmailBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "SigV4Benchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SidecarCore", package: "sidecar"),
                .product(name: "SidecarStorage", package: "sidecar"),
            ],
            path: "SigV4Benchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "StripeFormBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SidecarPayments", package: "sidecar"),
            ],
            path: "StripeFormBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "WebhookBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SidecarCore", package: "sidecar"),
                .product(name: "SidecarWebhooks", package: "sidecar"),
            ],
            path: "WebhookBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
