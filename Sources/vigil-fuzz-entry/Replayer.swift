// Built normally (without -DFUZZING) this target is a corpus replayer and seed maker.
import Foundation
import VigilFuzzSupport
import VigilCrypto
import VigilModel

enum Replayer {
    static let usage = """
        usage: vigil-fuzz-entry FILE|DIR...        run the entry-decoder checks on each file (DIR: every file in it)
               vigil-fuzz-entry --make-seeds DIR   write valid signed entries to DIR as fuzzing seeds
        Exits 1 if any input breaks an invariant, 2 on a usage or I/O error.
        """

    static func run() -> Never {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.isEmpty || arguments.contains("-h") || arguments.contains("--help") {
            print(usage)
            exit(arguments.isEmpty ? 2 : 0)
        }
        if arguments[0] == "--make-seeds" {
            guard arguments.count == 2 else { fail(usage) }
            exit(Seeds.command(directory: arguments[1]))
        }
        exit(replay(arguments))
    }

    /// Runs the checks on every file named (or inside every directory named). Returns the exit status.
    static func replay(_ paths: [String]) -> Int32 {
        let files = FuzzSupport.inputFiles(paths, tool: "vigil-fuzz-entry")
        let fm = FileManager.default
        var refused = 0, unsigned = 0, valid = 0, violations = 0
        for file in files {
            guard let data = fm.contents(atPath: file) else { fail("vigil-fuzz-entry: cannot read \(file)") }
            switch EntryFuzzCheck.run(Array(data)) {
            case .refused: refused += 1
            case .decodedUnsigned: unsigned += 1
            case .decodedValid: valid += 1
            case .violation(let message):
                violations += 1
                FileHandle.standardError.write(Data("FAIL \(file): \(message)\n".utf8))
            }
        }
        print("vigil-fuzz-entry: \(files.count) inputs: \(refused) refused by the decoder, \(valid) decoded with a valid signature, \(unsigned) decoded with a bad signature, \(violations) invariant violations")
        return violations == 0 ? 0 : 1
    }

    static func fail(_ message: String) -> Never { FuzzSupport.fail(message) }
}
