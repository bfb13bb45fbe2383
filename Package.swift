// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "SearchIndex",
    products: [
        .library(name: "SearchIndex", targets: ["SearchIndex"]),
        .library(name: "SearchIngest", targets: ["SearchIngest"]),
        .library(name: "SearchEval", targets: ["SearchEval"]),
        .executable(name: "search", targets: ["search"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation` (DocC); nothing links against it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // System C libraries (Debian: zlib1g-dev, libstemmer-dev).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CStemmer", path: "Sources/CStemmer",
                       providers: [.apt(["libstemmer-dev"])]),
        // A compiler hint the indexing loops use (cache-line prefetch), as a header-only C function.
        .target(name: "CHints"),
        // The engine: analysis, codec, store, index, search.
        .target(name: "SearchIndex", dependencies: ["CZlib", "CStemmer", "CHints"]),
        // Ingestion: a folder of .txt, .md, .html, .json, .jsonl, .csv and .tsv files -> documents.
        .target(name: "SearchIngest", dependencies: ["SearchIndex"]),
        // Relevance evaluation: test-collection readers and trec_eval-style metrics.
        .target(name: "SearchEval"),
        // The command-line tool's commands.
        .target(name: "SearchCLI", dependencies: [
            "SearchIndex", "SearchIngest", "SearchEval",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "search", dependencies: ["SearchCLI"]),
        // Torture tests: crash, corruption, query fuzzing, concurrency, disk full (see README, Reliability).
        .executableTarget(name: "search-torture", dependencies: [
            "SearchIndex", "CZlib",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "SearchIndexTests", dependencies: ["SearchIndex"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "SearchIngestTests", dependencies: ["SearchIngest", "SearchIndex"]),
        .testTarget(name: "SearchEvalTests", dependencies: ["SearchEval"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "SearchCLITests", dependencies: ["SearchCLI", "SearchIndex"]),
    ]
)
