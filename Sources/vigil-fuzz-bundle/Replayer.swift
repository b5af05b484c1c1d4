// Built normally (without -DFUZZING) this target is a corpus replayer and seed maker.
import Foundation
import VigilFuzzSupport

enum Replayer {
    static let usage = """
        usage: vigil-fuzz-bundle FILE|DIR...        run the bundle decoder and opener checks on each file
               vigil-fuzz-bundle --make-seeds DIR   write seed bundles to DIR
        Exits 1 if any input breaks an invariant, 2 on a usage or I/O error.
        """

    static func run() -> Never {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.isEmpty || arguments.contains("-h") || arguments.contains("--help") {
            print(usage)
            exit(arguments.isEmpty ? 2 : 0)
        }
        if arguments[0] == "--make-seeds" {
            guard arguments.count == 2 else { FuzzSupport.fail(usage) }
            exit(Seeds.command(directory: arguments[1]))
        }
        let files = FuzzSupport.inputFiles(arguments, tool: "vigil-fuzz-bundle")
        var malformed = 0, refused = 0, opened = 0, violations = 0
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { FuzzSupport.fail("vigil-fuzz-bundle: cannot read \(file)") }
            switch BundleFuzzCheck.run(Array(data)) {
            case .malformed: malformed += 1
            case .refused: refused += 1
            case .opened: opened += 1
            case .violation(let message):
                violations += 1
                FileHandle.standardError.write(Data("FAIL \(file): \(message)\n".utf8))
            }
        }
        print("vigil-fuzz-bundle: \(files.count) inputs: \(malformed) malformed, \(refused) refused by the opener, \(opened) opened, \(violations) invariant violations")
        exit(violations == 0 ? 0 : 1)
    }
}
