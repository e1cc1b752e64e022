import ArgumentParser
import LabelAssign
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
    } catch let e as ExitCode {
        exit(e.rawValue)
    } catch let e as CleanExit {
        LabelAssignCommand.exit(withError: e)
    } catch let e as ValidationError {
        FileHandleStderr.write("labelassign: error: \(e.message)\n")
        exit(2)
    } catch {
        FileHandleStderr.write("labelassign: error: \(String(describing: error).split(separator: "\n").joined(separator: " "))\n")
        exit(1)
    }
}

enum FileHandleStderr {
    static func write(_ s: String) {
        var bytes = Array(s.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

runMain()
