import LabelAssignCABI
import Testing

/// The Swift mirrors of labelassign.h's structs have the C layout: every field at the offset C
/// gives it (fields in order, each aligned to its size on LP64), the same size.
@Suite struct CABILayoutTests {
    /// The C offsets of fields of `sizes` bytes each (natural alignment), and the padded size.
    static func cLayout(_ sizes: [Int]) -> (offsets: [Int], size: Int) {
        var offsets: [Int] = [], at = 0
        for s in sizes {
            at = (at + s - 1) / s * s
            offsets.append(at)
            at += s
        }
        let align = sizes.max() ?? 1
        return (offsets, (at + align - 1) / align * align)
    }

    @Test func structsHaveTheCLayout() {
        let p = MemoryLayout<UnsafeRawPointer>.size
        let layout = Self.cLayout([4, 4, p, 4, 4, p, 8, p])
        let layoutPaths: [PartialKeyPath<LALayout>] = [\.imageWidth, \.imageHeight, \.strides, \.numStrides, \.numClasses,
                                                       \.priors, \.numPriors, \.anchors]
        #expect(layoutPaths.map { MemoryLayout<LALayout>.offset(of: $0) } == layout.offsets)
        #expect(MemoryLayout<LALayout>.stride == layout.size)

        let image = Self.cLayout([p, p, 8, p, p, p, p, 8])
        let imagePaths: [PartialKeyPath<LAImage>] = [\.gtBoxes, \.gtLabels, \.numGT, \.predBoxes, \.clsLogits, \.objLogits,
                                                     \.gtIgnore, \.numIgnore]
        #expect(imagePaths.map { MemoryLayout<LAImage>.offset(of: $0) } == image.offsets)
        #expect(MemoryLayout<LAImage>.stride == image.size)

        let outputs = Self.cLayout([p, p, p, p])
        let outputPaths: [PartialKeyPath<LAOutputs>] = [\.assignedGT, \.matchedIoU, \.quality, \.positivesPerGT]
        #expect(outputPaths.map { MemoryLayout<LAOutputs>.offset(of: $0) } == outputs.offsets)
        #expect(MemoryLayout<LAOutputs>.stride == outputs.size)

        let batch = Self.cLayout([8, p, p, p, p, p, p, p, p])
        let batchPaths: [PartialKeyPath<LABatch>] = [\.batchSize, \.gtOffsets, \.gtBoxes, \.gtLabels, \.predBoxes, \.clsLogits,
                                                     \.objLogits, \.ignoreOffsets, \.gtIgnore]
        #expect(batchPaths.map { MemoryLayout<LABatch>.offset(of: $0) } == batch.offsets)
        #expect(MemoryLayout<LABatch>.stride == batch.size)
    }
}
