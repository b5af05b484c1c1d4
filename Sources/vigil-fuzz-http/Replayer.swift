// Built normally (without -DFUZZING) this target is a corpus replayer and seed maker.
import Foundation
import VigilFuzzSupport

enum Replayer {
    static let usage = """
        usage: vigil-fuzz-http FILE|DIR...        run the HTTP parser checks on each file (DIR: every file in it)
               vigil-fuzz-http --make-seeds DIR   write request streams to DIR as fuzzing seeds
               vigil-fuzz-http --make-dict FILE   write a libFuzzer dictionary of HTTP tokens
        Exits 1 if any input breaks an invariant, 2 on a usage or I/O error.
        """

    static func run() -> Never {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.isEmpty || arguments.contains("-h") || arguments.contains("--help") {
            print(usage)
            exit(arguments.isEmpty ? 2 : 0)
        }
        if arguments[0] == "--make-seeds" || arguments[0] == "--make-dict" {
            guard arguments.count == 2 else { FuzzSupport.fail(usage) }
            exit(arguments[0] == "--make-seeds" ? Seeds.command(directory: arguments[1]) : Seeds.dictionary(file: arguments[1]))
        }
        let files = FuzzSupport.inputFiles(arguments, tool: "vigil-fuzz-http")
        var refused = 0, accepted = 0, violations = 0
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { FuzzSupport.fail("vigil-fuzz-http: cannot read \(file)") }
            switch HTTPFuzzCheck.run(Array(data)) {
            case .refused: refused += 1
            case .accepted: accepted += 1
            case .violation(let message):
                violations += 1
                FileHandle.standardError.write(Data("FAIL \(file): \(message)\n".utf8))
            }
        }
        print("vigil-fuzz-http: \(files.count) inputs: \(accepted) accepted, \(refused) refused, \(violations) invariant violations")
        exit(violations == 0 ? 0 : 1)
    }
}
