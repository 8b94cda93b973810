import Foundation
import OneStop

/// The number of a one-stop document: "{form}/{year}/{agency code}-{sequence}", e.g.
/// "01/2026/000.00.20.H26-17". The sequence counts per agency, form and year (local, UTC+7)
/// and is supplied by the caller, who keeps it in the database so that it is never reused.
/// The form is the number in the set the document follows (`OneStopFormSet`), "01" to "07":
/// numbers are counted per form number, so a number is never given twice even across a change
/// of set.
public struct DocumentNumber: Sendable, Hashable, CustomStringConvertible, LosslessStringConvertible {
    /// The form's number in its set, "01" … "07".
    public var form: String
    public var year: Int
    /// The agency's identifier code (QCVN 102:2016), e.g. "000.00.20.H26".
    public var agencyCode: String
    /// From 1, per (agency, form, year).
    public var sequence: Int

    public init(form: String, year: Int, agencyCode: String, sequence: Int) {
        precondition(sequence >= 1, "a document sequence starts at 1")
        precondition(Self.formNumbers.contains(form), "a form number is 01 to 07")
        self.form = form
        self.year = year
        self.agencyCode = agencyCode
        self.sequence = sequence
    }

    /// The number of a document issued at `issuedAt`: its year is the local year in UTC+7.
    public init(form: String, issuedAt: Date, agencyCode: String, sequence: Int) {
        self.init(form: form, year: VietnameseDateFormat.year(of: issuedAt), agencyCode: agencyCode, sequence: sequence)
    }

    public var description: String {
        "\(form)/\(year)/\(agencyCode)-\(sequence)"
    }

    /// Reads a number written by `description`; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, Self.formNumbers.contains(String(parts[0])),
              parts[1].count == 4, parts[1].allSatisfy(\.isASCII), let year = Int(parts[1]),
              let dash = parts[2].lastIndex(of: "-") else { return nil }
        let agencyCode = String(parts[2][..<dash])
        let digits = parts[2][parts[2].index(after: dash)...]
        guard !agencyCode.isEmpty, !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              !digits.hasPrefix("0"), let sequence = Int(digits) else { return nil }
        self.init(form: String(parts[0]), year: year, agencyCode: agencyCode, sequence: sequence)
    }

    /// Every form number of either set (the 2025 set's seven).
    static let formNumbers: Set<String> = Set(OneStopFormSet.allCases.flatMap { set in set.forms.compactMap(set.number) })
}
