/// Corner boxes (`x1, y1, x2, y2` rows) as centre-size boxes normalised by the image, in float32
/// and in the order of the references (the YOLOv5 dataloader's targets, DETR's
/// `box_xyxy_to_cxcywh(boxes) / (W, H, W, H)`):
/// `((x1 + x2) / 2) / W, ((y1 + y2) / 2) / H, (x2 − x1) / W, (y2 − y1) / H`.
func normalisedCentreSize(_ boxes: [Float], imageWidth: Int, imageHeight: Int) -> [Float] {
    let fw = Float(imageWidth), fh = Float(imageHeight)
    var out = [Float](repeating: 0, count: boxes.count)
    for i in 0..<(boxes.count / 4) {
        let x1 = boxes[4 * i], y1 = boxes[4 * i + 1], x2 = boxes[4 * i + 2], y2 = boxes[4 * i + 3]
        out[4 * i] = ((x1 + x2) / 2) / fw
        out[4 * i + 1] = ((y1 + y2) / 2) / fh
        out[4 * i + 2] = (x2 - x1) / fw
        out[4 * i + 3] = (y2 - y1) / fh
    }
    return out
}
