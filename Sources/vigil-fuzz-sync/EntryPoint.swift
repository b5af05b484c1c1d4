// The sync decoders' fuzzer (frames, sync messages, Negentropy messages, field maps, genesis JSON,
// start-up index chunks and files).
// Built normally it replays files and writes seeds; built with -DFUZZING (Scripts/fuzz sync) it hands
// over to libFuzzer's driver — see Sources/vigil-fuzz-entry/EntryPoint.swift for why.
import Foundation

import VigilFuzzSupport

@main
enum EntryPoint {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.count == 2, arguments[0] == "--make-seeds" {
            try? FileManager.default.createDirectory(atPath: arguments[1], withIntermediateDirectories: true)
            for (i, seed) in SyncSeeds.all().enumerated() {
                _ = FileManager.default.createFile(atPath: arguments[1] + "/seed-\(i)", contents: Data(seed))
            }
            exit(0)
        }
        #if FUZZING
        FuzzSupport.runDriver(fuzzSync)
        #else
        guard !arguments.isEmpty else {
            print("usage: vigil-fuzz-sync FILE|DIR... | --make-seeds DIR")
            exit(2)
        }
        let files = FuzzSupport.inputFiles(arguments, tool: "vigil-fuzz-sync")
        var violations = 0
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            if let v = SyncFuzzCheck.run(Array(data)) { print("\(file): \(v)"); violations += 1 }
        }
        print("\(files.count) inputs, \(violations) violations")
        exit(violations == 0 ? 0 : 1)
        #endif
    }
}
