/// Exact decimal text of integer millionths (micro-degrees in bodies, CAP coordinates), never
/// through `Double`.
public enum DecimalText {
    /// Millionths as decimal text with up to six decimals, trailing zeros trimmed:
    /// 51254000 → "51.254", -500000 → "-0.5", 0 → "0".
    public static func millionths(_ value: Int64) -> String {
        let magnitude = value.magnitude
        var fraction = String(magnitude % 1_000_000)
        var text = "\(magnitude / 1_000_000)"
        if fraction != "0" {
            fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return value < 0 ? "-" + text : text
    }
}
