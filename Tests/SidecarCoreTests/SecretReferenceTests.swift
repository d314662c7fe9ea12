import Foundation
import SidecarCore
import Testing

@Suite("Secret references")
struct SecretReferenceTests {
    let resolver = SecretReferenceResolver(
        environment: ["KEY": "value", "EMPTY": ""], baseDirectory: "/base",
        readFile: { path in
            guard path == "/base/relative" || path == "/abs/file" else { throw CocoaError(.fileNoSuchFile) }
            return "from-file\n"
        })

    @Test func plainTextIsUnchanged() throws {
        let result = try resolver.resolve("plain $text {x}")
        #expect(result.value == "plain $text {x}")
        #expect(!result.containedReference)
    }

    @Test func environmentReferences() throws {
        #expect(try resolver.resolve("${env:KEY}").value == "value")
        #expect(try resolver.resolve("pre-${env:KEY}-post").value == "pre-value-post")
        #expect(try resolver.resolve("${env:MISSING:-fallback}").value == "fallback")
        #expect(try resolver.resolve("${env:EMPTY:-fallback}").value == "fallback")
        #expect(try resolver.resolve("${env:MISSING:-}").value == "")
        #expect(try resolver.resolve("${env:KEY}").containedReference)
    }

    @Test func fileReferencesTrimOneTrailingNewline() throws {
        let absolute = try resolver.resolve("${file:/abs/file}")
        #expect(absolute.value == "from-file")
        #expect(absolute.files == ["/abs/file"])
        #expect(try resolver.resolve("${file:relative}").files == ["/base/relative"])
    }

    @Test(arguments: [
        ("${env:MISSING}", "environment variable MISSING is not set"),
        ("${file:/nope}", "cannot read secret file /nope"),
        ("${vault:x}", "unknown reference `${vault…}`: use ${env:NAME}, ${env:NAME:-default} or ${file:/path}"),
        ("${env:KEY", "unterminated reference: `${` without a closing `}`"),
        ("${env:BAD-NAME}", "`${env:BAD-NAME}` is not a valid environment variable name"),
    ])
    func failuresNameTheReference(input: String, message: String) {
        #expect(throws: SecretReferenceResolver.ResolutionFailure.self) { try resolver.resolve(input) }
        do {
            _ = try resolver.resolve(input)
        } catch {
            #expect(error.message == message)
        }
    }
}
