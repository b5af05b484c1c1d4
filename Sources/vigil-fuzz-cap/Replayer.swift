// Built normally (without -DFUZZING) this target is a corpus replayer and seed maker.
import Dispatch
import Foundation
import VigilFuzzSupport
import VigilCAP

enum Replayer {
    static let usage = """
        usage: vigil-fuzz-cap FILE|DIR...        run the CAP parser checks on each file (DIR: every file in it)
               vigil-fuzz-cap --make-seeds DIR   write CAP documents to DIR as fuzzing seeds
               vigil-fuzz-cap --make-dict FILE   write a libFuzzer dictionary of CAP tokens
               vigil-fuzz-cap --time FILE...     time parse, write and import of each CAP document
        Exits 1 if any input breaks an invariant, 2 on a usage or I/O error.
        """

    static func run() -> Never {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.isEmpty || arguments.contains("-h") || arguments.contains("--help") {
            print(usage)
            exit(arguments.isEmpty ? 2 : 0)
        }
        if arguments[0] == "--make-seeds" || arguments[0] == "--make-dict" {
            guard arguments.count == 2 else { fail(usage) }
            exit(arguments[0] == "--make-seeds" ? Seeds.command(directory: arguments[1]) : Seeds.dictionary(file: arguments[1]))
        }
        if arguments[0] == "--time" { exit(time(Array(arguments.dropFirst()))) }
        exit(replay(arguments))
    }

    /// `--time FILE...`: median microseconds per parse, write and import (build with -c release).
    static func time(_ files: [String]) -> Int32 {
        func median(_ runs: Int, _ body: () -> Void) -> Double {
            var samples: [Double] = []
            for _ in 0..<runs {
                let start = DispatchTime.now().uptimeNanoseconds
                body()
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
            }
            return samples.sorted()[runs / 2]
        }
        for file in files {
            guard let data = FileManager.default.contents(atPath: file), let alert = try? CAPParser.parse(data) else {
                fail("vigil-fuzz-cap: \(file) cannot be read or parsed")
            }
            let parse = median(201) { _ = try? CAPParser.parse(data) }
            let write = median(201) { _ = CAPWriter.xml(alert) }
            let bodies = median(201) { _ = try? CAPImport.alertBody(from: alert) }
            print("\((file as NSString).lastPathComponent): \(data.count) bytes, parse \(Int(parse)) µs, write \(Int(write)) µs, import \(Int(bodies)) µs")
        }
        return 0
    }

    /// Runs the checks on every file named (or inside every directory named). Returns the exit status.
    static func replay(_ paths: [String]) -> Int32 {
        let files = FuzzSupport.inputFiles(paths, tool: "vigil-fuzz-cap")
        let fm = FileManager.default
        var refused = 0, parsed = 0, imported = 0, violations = 0
        for file in files {
            guard let data = fm.contents(atPath: file) else { fail("vigil-fuzz-cap: cannot read \(file)") }
            switch CAPFuzzCheck.run(Array(data)) {
            case .refused: refused += 1
            case .parsedNotImported: parsed += 1
            case .imported: imported += 1
            case .violation(let message):
                violations += 1
                FileHandle.standardError.write(Data("FAIL \(file): \(message)\n".utf8))
            }
        }
        print("vigil-fuzz-cap: \(files.count) inputs: \(refused) refused by the parser, \(parsed) parsed but not imported, \(imported) imported, \(violations) invariant violations")
        return violations == 0 ? 0 : 1
    }

    static func fail(_ message: String) -> Never { FuzzSupport.fail(message) }
}
