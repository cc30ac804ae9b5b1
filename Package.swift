// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "pplx-proxy",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "pplx-proxy", targets: ["pplx-proxy"]),
        .library(name: "ProxyCore", targets: ["ProxyCore"]),
        .library(name: "MockUpstream", targets: ["MockUpstream"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .systemLibrary(name: "CPosixShims"),
        .target(
            name: "ProxyCore",
            dependencies: [
                "CCurl",
                "COpenSSL",
                "CHiredis",
                "CPosixShims",
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.embedInCode("API/Admin/dashboard.html")]
        ),
        .target(
            name: "MockUpstream",
            dependencies: ["ProxyCore"]
        ),
        .executableTarget(
            name: "pplx-proxy",
            dependencies: [
                "ProxyCore",
                "MockUpstream",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // libFuzzer targets (`make fuzz`; a bounded run in `make test`). Built normally they replay their corpus.
        .target(name: "FuzzCorpus", path: "Fuzz/FuzzCorpus"),
        .systemLibrary(name: "CFuzzerDriver", path: "Fuzz/CFuzzerDriver"),
        .executableTarget(
            name: "HTTPRequestParserFuzzer", dependencies: ["ProxyCore", "FuzzCorpus", "CFuzzerDriver"],
            path: "Fuzz/HTTPRequestParserFuzzer"),
        .executableTarget(
            name: "StreamFuzzer", dependencies: ["ProxyCore", "FuzzCorpus", "CFuzzerDriver"], path: "Fuzz/StreamFuzzer"),
        .testTarget(
            name: "ProxyCoreTests",
            dependencies: ["ProxyCore"]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["ProxyCore", "MockUpstream"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
