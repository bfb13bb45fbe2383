// swift-tools-version: 6.1
import PackageDescription

// SwiftPM names a path dependency after its folder, so the library's package is whatever the checkout's
// folder is called (e.g. `main`, or `ci` in a CI clone).
let root = String(Context.packageDirectory.split(separator: "/").dropLast().last ?? "SearchIndex")

// Benchmarks live in their own package so the library's users never build package-benchmark.
//   swift run -c release search-bench DOCS_DIR QUERIES      # macro benchmark, ../shared/peers protocol
//   swift package benchmark                                  # micro benchmarks (package-benchmark)
let package = Package(
    name: "SearchIndexBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(name: "search-bench", dependencies: [.product(name: "SearchIndex", package: root)],
                          swiftSettings: [.swiftLanguageMode(.v5)]),
        .executableTarget(
            name: "SearchIndexBenchmarks",
            dependencies: [
                .product(name: "SearchIndex", package: root),
                .product(name: "Benchmark", package: "package-benchmark"),
            ],
            path: "Benchmarks/SearchIndexBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v5)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
    ]
)
