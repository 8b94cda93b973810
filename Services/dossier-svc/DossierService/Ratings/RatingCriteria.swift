import DVCProto

/// The criteria a citizen rates and the scale (docs/satisfaction.md): five criteria, each
/// 1 (Không hài lòng), 2 (Hài lòng) or 3 (Rất hài lòng).
enum RatingCriteria {
    static let scale: ClosedRange<UInt32> = 1...3
    /// The comment's limit, in characters.
    static let commentLimit = 1000
    /// The criteria's averages (to anyone) and the comments (to the agency) are answered only
    /// for a period holding at least this many ratings: fewer, and one rating's own scores or
    /// words could be told apart by who knows which dossiers were returned that month.
    static let minimumRatings = 5

    /// (proto field and column, Vietnamese name), in the form's order.
    static let all: [(field: String, name: String)] = [
        ("publicity", "Công khai, minh bạch thủ tục hành chính"),
        ("timeliness", "Thời gian giải quyết"),
        ("conduct", "Thái độ phục vụ của cán bộ, công chức"),
        ("fees", "Phí, lệ phí"),
        ("result", "Kết quả giải quyết"),
    ]

    static func values(_ scores: DossierV1.RatingScores) -> [UInt32] {
        [scores.publicity, scores.timeliness, scores.conduct, scores.fees, scores.result]
    }
}
