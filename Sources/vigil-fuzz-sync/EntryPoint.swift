// The sync decoders' fuzzer (frames, sync messages, Negentropy messages, field maps, genesis JSON).
// Built normally it replays files and writes seeds; built with -DFUZZING (Scripts/fuzz sync) it hands
// over to libFuzzer's driver — see Sources/vigil-fuzz-entry/EntryPoint.swift for why.
import Foundation

#if FUZZING
@_extern(c, "LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt
#endif

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
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzSync))
        #else
        guard !arguments.isEmpty else {
            print("usage: vigil-fuzz-sync FILE|DIR... | --make-seeds DIR")
            exit(2)
        }
        var files: [String] = []
        for path in arguments {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { print("no such file: \(path)"); exit(2) }
            if isDir.boolValue {
                files += ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
            } else { files.append(path) }
        }
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
