/// `value` after `change`, for one-line variants of a configuration:
/// `changed(ATSSAssigner.Configuration.atss) { $0.topk = 0 }`.
public func changed<T>(_ value: T, _ change: (inout T) -> Void) -> T {
    var v = value
    change(&v)
    return v
}
