import Foundation

/// Seed streams: what browsers send to the desk (login, feed, event stream, pipelined requests) and a
/// few refusals; plus a dictionary of HTTP tokens.
enum Seeds {
    static let streams: [String] = [
        "GET / HTTP/1.1\r\nHost: 127.0.0.1:8443\r\nUser-Agent: Mozilla/5.0\r\nAccept: text/html\r\nAccept-Language: nl-BE,nl;q=0.9,fr;q=0.8\r\n\r\n",
        "POST /login HTTP/1.1\r\nHost: desk\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 37\r\n\r\nname=j.dupont&password=correct+horse",
        "GET /api/feed?kind=sitrep&tlp=amber&q=%C3%A9vacuation&before=123 HTTP/1.1\r\nHost: desk\r\nCookie: vigil-session=00ff; theme=dark\r\n\r\n",
        "GET /api/events HTTP/1.1\r\nHost: desk\r\nAccept: text/event-stream\r\nLast-Event-ID: 42\r\n\r\n",
        "POST /api/ack HTTP/1.1\r\nHost: desk\r\nX-CSRF-Token: ab\r\nContent-Length: 8\r\n\r\n{\"id\":1}GET /a HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n",
        "\r\nHEAD /desk.css HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
        "GET / HTTP/1.1\nHost: a\n\n",
    ]

    /// `--make-seeds DIR`. Returns the exit status.
    static func command(directory: String) -> Int32 {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            FileHandle.standardError.write(Data("vigil-fuzz-http: cannot create \(directory): \(error)\n".utf8))
            return 2
        }
        for (i, stream) in streams.enumerated() {
            let path = (directory as NSString).appendingPathComponent(String(format: "seed-%02d.http", i))
            guard FileManager.default.createFile(atPath: path, contents: Data(stream.utf8)) else {
                FileHandle.standardError.write(Data("vigil-fuzz-http: cannot write \(path)\n".utf8))
                return 2
            }
        }
        print("vigil-fuzz-http: \(streams.count) seeds in \(directory)")
        return 0
    }

    static let tokens = ["GET", "HEAD", "POST", "HTTP/1.1", "HTTP/1.0", "\r\n", "\r\n\r\n", "Host: ", "Content-Length: ",
                         "Transfer-Encoding: chunked", "Connection: close", "Connection: keep-alive", "Expect: 100-continue",
                         "Cookie: vigil-session=", "%", "?", "&", "=", "+", ": "]

    /// `--make-dict FILE`: a libFuzzer dictionary. Returns the exit status.
    static func dictionary(file: String) -> Int32 {
        let lines = tokens.map { token -> String in
            // libFuzzer's dictionary syntax knows only \\, \" and \xHH escapes.
            let escaped = token.utf8.map { byte -> String in
                switch byte {
                case UInt8(ascii: "\""): "\\\""
                case UInt8(ascii: "\\"): "\\\\"
                case 0x20..<0x7F: String(UnicodeScalar(byte))
                default: String(format: "\\x%02X", byte)
                }
            }.joined()
            return "\"\(escaped)\""
        }
        guard FileManager.default.createFile(atPath: file, contents: Data((lines.joined(separator: "\n") + "\n").utf8)) else {
            FileHandle.standardError.write(Data("vigil-fuzz-http: cannot write \(file)\n".utf8))
            return 2
        }
        return 0
    }
}
