/// `la_assign` takes whole int32 strides while a scene's strides are Float: the binary fuzz
/// input (whose strides come from a table of whole values) passes them through this conversion,
/// truncated toward zero, 0 where the value has no int32 (la_assign then reports the bad stride).
extension Int32 {
    init<F: BinaryFloatingPoint>(truncatingIfNeeded stride: F) {
        self = stride.isFinite ? Int32(exactly: stride.rounded(.towardZero)) ?? 0 : 0
    }
}
