import ArgumentParser
import LabelAssign
import LabelAssignIO
import LabelAssignCompare
#if canImport(Glibc)
import Glibc
#endif

/// Errors go to stderr as one line; exit 1 for failures, 2 for usage errors.
func runMain() -> Never {
    var command: ParsableCommand
    do {
        command = try LabelAssignCommand.parseAsRoot()
    } catch {
        let code = LabelAssignCommand.exitCode(for: error)
        if code == .success { LabelAssignCommand.exit(withError: error) }
        let message = LabelAssignCommand.fullMessage(for: error)
        FileHandleStderr.write("labelassign: " + message.split(separator: "\n").joined(separator: " ") + "\n")
        exit(2)
    }
    do {
        try command.run()
        exit(0)
    } catch let e as LabelAssignError {
        FileHandleStderr.write("labelassign: error: \(oneLine(e.description))\n")
        exit(1)
    } catch {
        let code = LabelAssignCommand.exitCode(for: error)
        if code == .success { LabelAssignCommand.exit(withError: error) }  // --help and clean exits
        if let e = error as? ExitCode { exit(e.rawValue) }
        if code == .validationFailure {
            FileHandleStderr.write("labelassign: error: \(oneLine(LabelAssignCommand.message(for: error)))\n")
            exit(2)
        }
        FileHandleStderr.write("labelassign: error: \(oneLine(String(describing: error)))\n")
        exit(1)
    }
}

func oneLine(_ s: String) -> String {
    s.split(whereSeparator: \.isNewline).joined(separator: " ")
}

enum FileHandleStderr {
    static func write(_ s: String) {
        var bytes = Array(s.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

runMain()
