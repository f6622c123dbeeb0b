extension Int {
    /// `value` as an Int, never trapping: toward zero, NaN as 0, beyond the range at its bound.
    /// For numbers that come from users or the store: parse-time bounds keep them small, and
    /// this keeps a store written by another version from crashing a worker.
    public init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= Double(Int.max) {
            self = .max
        } else if value <= Double(Int.min) {
            self = .min
        } else {
            self = Int(value)
        }
    }
}
