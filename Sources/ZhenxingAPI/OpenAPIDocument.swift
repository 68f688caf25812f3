public import Foundation

/// The OpenAPI document the generated code was made from, served at `/api/openapi.yaml`.
public enum OpenAPIDocument {
    /// The document's bytes, read once from the bundle.
    public static let yaml: Data = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
              let data = try? Data(contentsOf: url) else {
            preconditionFailure("openapi.yaml is missing from the ZhenxingAPI bundle")
        }
        return data
    }()
}
