import LabelAssign

/// The container of a safetensors file (what `safetensors.torch.save_file` and
/// `safetensors.numpy.save_file` write): an 8-byte little-endian header length `n`, `n` bytes of
/// JSON header `{NAME: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {k: v}}`,
/// then the raw little-endian tensor bytes, offsets relative to the end of the header.
///
/// Nothing in the header is trusted: the length must lie within the file, the header is strict
/// JSON (`JSONReader`: duplicate names are errors), every dtype must be one safetensors defines,
/// shapes whole numbers whose product (times the dtype size) does not overflow and equals the
/// byte range, ranges within the data, and no two ranges overlap. Errors are `invalidValue` on
/// `safetensors header` or on the tensor's name.
struct SafetensorsFile {
    /// The dtypes of the safetensors format and their sizes in bytes.
    static let dtypeSizes: [String: Int] = [
        "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
        "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8,
    ]

    struct Tensor {
        let name: String
        let dtype: String
        let shape: [Int]
        /// Byte range in `data`.
        let range: Range<Int>
        var count: Int { shape.reduce(1, *) }
    }

    let tensors: [String: Tensor]
    let metadata: [String: String]
    /// The bytes after the header.
    let data: UnsafeRawBufferPointer

    static func fail(_ reason: String) -> LabelAssignError {
        .invalidValue(field: "safetensors header", index: nil, reason: reason)
    }

    /// Reads and checks the header of `buf`; the tensors' bytes stay in `buf`.
    init(_ buf: UnsafeBufferPointer<UInt8>) throws {
        guard buf.count >= 8 else { throw Self.fail("the file has \(buf.count) bytes, fewer than the 8 of the header length") }
        var n: UInt64 = 0
        for k in 0..<8 { n |= UInt64(buf[k]) << (8 * UInt64(k)) }
        guard n <= UInt64(buf.count - 8) else {
            throw Self.fail("header length \(n) runs past the end of the file (\(buf.count) bytes)")
        }
        let headerEnd = 8 + Int(n)
        let header: JSONValue
        do {
            header = try parseJSON(UnsafeBufferPointer(rebasing: buf[8..<headerEnd]))
        } catch {
            throw Self.fail("\(error)")
        }
        guard let entries = header.object else { throw Self.fail("the header is not a JSON object") }
        let data = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buf)[headerEnd...])
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in entries {
            if name == "__metadata__" {
                metadata = try Self.metadata(value)
            } else {
                tensors[name] = try Self.tensor(name, value, dataSize: data.count)
            }
        }
        try Self.checkDisjoint(Array(tensors.values))
        self.tensors = tensors
        self.metadata = metadata
        self.data = data
    }

    /// `__metadata__`: an object of strings.
    static func metadata(_ value: JSONValue) throws -> [String: String] {
        guard let o = value.object else { throw fail("__metadata__ is not an object") }
        var out: [String: String] = [:]
        for (k, v) in o {
            guard let s = v.string else { throw fail("__metadata__ value of '\(k)' is not a string") }
            out[k] = s
        }
        return out
    }

    /// One tensor entry: known dtype, whole dimensions, a byte range within the data of exactly
    /// `product(shape) · size(dtype)` bytes.
    static func tensor(_ name: String, _ value: JSONValue, dataSize: Int) throws -> Tensor {
        func bad(_ reason: String) -> LabelAssignError { .invalidValue(field: name, index: nil, reason: reason) }
        guard let dtype = value["dtype"]?.string else { throw bad("no dtype string in the safetensors header") }
        guard let size = dtypeSizes[dtype] else { throw bad("unknown dtype '\(dtype)'") }
        guard let dims = value["shape"]?.array else { throw bad("no shape array in the safetensors header") }
        let shape = try dims.map { d -> Int in
            guard let v = d.double, v >= 0, v == v.rounded(), v < 9.0e15 else { throw bad("shape \(dims) is not a list of whole numbers") }
            return Int(v)
        }
        guard let offsets = value["data_offsets"]?.array, offsets.count == 2,
              let begin = offsets[0].double, let end = offsets[1].double,
              begin >= 0, begin == begin.rounded(), end == end.rounded(), begin <= end, end <= Double(dataSize) else {
            throw bad("data_offsets \(value["data_offsets"].map { "\($0)" } ?? "missing") are not [begin, end] within the \(dataSize) data bytes")
        }
        var bytes = size
        for d in shape {
            let (p, overflow) = bytes.multipliedReportingOverflow(by: d)
            guard !overflow else { throw bad("shape \(shape) overflows") }
            bytes = p
        }
        guard bytes == Int(end) - Int(begin) else {
            throw bad("shape \(shape) of \(dtype) needs \(bytes) bytes, data_offsets give \(Int(end) - Int(begin))")
        }
        return Tensor(name: name, dtype: dtype, shape: shape, range: Int(begin)..<Int(end))
    }

    /// No two tensors share a byte.
    static func checkDisjoint(_ tensors: [Tensor]) throws {
        let sorted = tensors.filter { !$0.range.isEmpty }.sorted { ($0.range.lowerBound, $0.name) < ($1.range.lowerBound, $1.name) }
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.range.lowerBound < a.range.upperBound {
            throw LabelAssignError.invalidValue(field: b.name, index: nil,
                                                reason: "data_offsets \(b.range) overlap those of \(a.name) (\(a.range))")
        }
    }

    // MARK: values

    /// The tensor `name`, which must have `rank` dimensions (and `columns` as its last one, when
    /// given); nil when absent.
    func tensor(_ name: String, rank: Int, columns: Int? = nil) throws -> Tensor? {
        guard let t = tensors[name] else { return nil }
        guard t.shape.count == rank, columns.map({ t.shape[rank - 1] == $0 }) ?? true else {
            let want = rank == 1 ? "[n]" : "[n, \(columns.map(String.init) ?? "c")]"
            throw LabelAssignError.invalidValue(field: name, index: nil, reason: "shape \(t.shape); expected \(want)")
        }
        return t
    }

    /// The values of an F32 tensor.
    func floats(_ t: Tensor) throws -> [Float] {
        guard t.dtype == "F32" else { throw LabelAssignError.invalidValue(field: t.name, index: nil, reason: "dtype \(t.dtype); expected F32") }
        let source = UnsafeRawBufferPointer(rebasing: data[t.range])
        var out = [Float](unsafeUninitializedCapacity: t.count) { buffer, initialised in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source)
            initialised = t.count
        }
        #if _endian(big)
        for i in out.indices { out[i] = Float(bitPattern: UInt32(littleEndian: out[i].bitPattern)) }
        #endif
        return out
    }

    /// The values of an I32 or I64 tensor, widened to `Int64`.
    func integers(_ t: Tensor) throws -> [Int64] {
        guard t.dtype == "I32" || t.dtype == "I64" else {
            throw LabelAssignError.invalidValue(field: t.name, index: nil, reason: "dtype \(t.dtype); expected I32 or I64")
        }
        guard t.count > 0, let start = data.baseAddress else { return [] }
        let base = start + t.range.lowerBound
        switch t.dtype {
        case "I32": return (0..<t.count).map { Int64(Int32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }
        case "I64": return (0..<t.count).map { Int64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
        default: return []
        }
    }
}
