/// The government's announced holiday arrangements for civil servants and public employees
/// (công chức, viên chức: offices with a Monday–Friday week), as overrides on top of
/// `HolidayRules`. catalog-svc seeds its calendar table from these and lets an admin edit
/// them; later years are added by an admin (or here) when they are announced.
///
/// An entry is listed when the arrangement is a *decision* rather than a rule: the days the
/// Prime Minister picks for Tết and for the National Day's extra day (art. 112(3)), swapped
/// weekdays and make-up Saturdays, and weekdays the rules would give back but the
/// arrangement does not. Days the law fixes outright (1/1, 30/4, 1/5, 2/9, 10/3 lunar) and
/// their compensation come from the rules.
///
/// Every date was checked against the announcement named in its reason, as published by
/// government portals and the press quoting it (the notices' own PDFs were not at hand):
/// - 2024 Tết and National Day: Thông báo 5015/TB-LĐTBXH of 22/11/2023 (quoted on a
///   Kon Tum district portal), carrying out the Prime Minister's decision in Công văn
///   8662/VPCP-KGVX of 03/11/2023 (quoted on the Bình Phước and Kon Tum portals): Tết from
///   Thursday 08/02/2024 (29 Chạp Quý Mão) to Wednesday 14/02/2024 (mùng 5), "05 ngày nghỉ
///   Tết Âm lịch và 02 ngày nghỉ bù ngày nghỉ hằng tuần theo khoản 3 Điều 111"; National
///   Day from Saturday 31/08 to Tuesday 03/09/2024.
/// - 2024 30/4–1/5: Thông báo 1570/TB-BLĐTBXH of 12/04/2024 (its text, in translation),
///   carrying out Công văn 2450/VPCP-KGVX of 12/04/2024: Monday 29/04/2024 swapped with
///   Saturday 04/05/2024; off from Saturday 27/04 to Wednesday 01/05/2024.
/// - 2025: Thông báo 6150/TB-LĐTBXH of 03/12/2024, carrying out Công văn 8726/VPCP-KGVX of
///   26/11/2024: Tết from Saturday 25/01/2025 to Sunday 02/02/2025, the five Tết days being
///   Monday 27/01 (28 Chạp) to Friday 31/01 (mùng 3); off from Wednesday 30/04 to Sunday
///   04/05/2025, Friday 02/05 made up on Saturday 26/04/2025 (quoted by the Quảng Ngãi
///   portal); National Day from Saturday 30/08 to Tuesday 02/09/2025.
/// - 2026 New Year: Công văn 12729/VPCP-KGVX of 25/12/2025 (the Government Office conveying the
///   Deputy Prime Minister's approval of Bộ Nội vụ's proposal, as reported by the press): off
///   Thursday 01/01 to Sunday 04/01/2026, Friday 02/01 swapped with Saturday 10/01/2026.
/// - 2026 Tết and National Day: Thông báo 9441/TB-BNV of 16/10/2025 (Bộ Nội vụ, as quoted by the
///   Hải Phòng city press and national papers of 17/10/2025): Tết from Monday 16/02 (29 Chạp
///   Ất Tỵ) to Friday 20/02/2026 (mùng 4), nine days with the weekends from 14/02 to 22/02;
///   National Day on Tuesday 01/09 and Wednesday 02/09, Monday 31/08 off and made up on
///   Saturday 22/08/2026, five days from 29/08 to 02/09.
///
/// Adding a year: when the government announces it (usually Bộ Nội vụ's notice in the autumn
/// for the next Tết and National Day, a Government Office letter in December for 1 January),
/// an operator enters each date that differs from the rules with `dvcctl catalog calendar set`
/// (docs/catalog.md, "Working-time calendar"), which takes effect at once; the year is then
/// added here, so that new installations start with it.
public enum OfficialCalendarOverrides {
    /// Every year encoded here, in date order.
    public static var all: [CalendarOverride] { (year2024 + year2025 + year2026).sorted() }

    /// The overrides of one year (empty for a year not encoded here).
    public static func forYear(_ year: Int) -> [CalendarOverride] {
        all.filter { $0.date.year == year }
    }

    public static let year2024: [CalendarOverride] = [
        off("2024-02-08", "Tết Âm lịch 2024: 29 tháng Chạp (Thông báo 5015/TB-LĐTBXH, 22/11/2023; 8662/VPCP-KGVX)"),
        off("2024-02-09", "Tết Âm lịch 2024: 30 tháng Chạp (Thông báo 5015/TB-LĐTBXH, 22/11/2023)"),
        off("2024-02-12", "Tết Âm lịch 2024: mùng 3 (Thông báo 5015/TB-LĐTBXH, 22/11/2023)"),
        off("2024-02-13", "Tết Âm lịch 2024: nghỉ bù thứ Bảy 10/02 (Thông báo 5015/TB-LĐTBXH, 22/11/2023)"),
        off("2024-02-14", "Tết Âm lịch 2024: nghỉ bù Chủ nhật 11/02 (Thông báo 5015/TB-LĐTBXH, 22/11/2023)"),
        work("2024-02-15", "Tết Âm lịch 2024 kết thúc 14/02: làm việc bình thường (Thông báo 5015/TB-LĐTBXH, 22/11/2023)"),
        off("2024-04-29", "Hoán đổi ngày làm việc dịp 30/4–1/5/2024, làm bù thứ Bảy 04/05 (Thông báo 1570/TB-BLĐTBXH, 12/04/2024; 2450/VPCP-KGVX)"),
        work("2024-05-04", "Làm bù cho thứ Hai 29/04/2024 (Thông báo 1570/TB-BLĐTBXH, 12/04/2024; 2450/VPCP-KGVX)"),
        off("2024-09-03", "Quốc khánh 2024: ngày liền kề sau 2/9 (Thông báo 5015/TB-LĐTBXH, 22/11/2023)"),
    ]

    public static let year2025: [CalendarOverride] = [
        off("2025-01-27", "Tết Âm lịch 2025: 28 tháng Chạp (Thông báo 6150/TB-LĐTBXH, 03/12/2024; 8726/VPCP-KGVX)"),
        off("2025-01-28", "Tết Âm lịch 2025: 29 tháng Chạp (Thông báo 6150/TB-LĐTBXH, 03/12/2024)"),
        off("2025-01-29", "Tết Âm lịch 2025: mùng 1 (Thông báo 6150/TB-LĐTBXH, 03/12/2024)"),
        off("2025-01-30", "Tết Âm lịch 2025: mùng 2 (Thông báo 6150/TB-LĐTBXH, 03/12/2024)"),
        off("2025-01-31", "Tết Âm lịch 2025: mùng 3 (Thông báo 6150/TB-LĐTBXH, 03/12/2024)"),
        work("2025-02-03", "Tết Âm lịch 2025 kết thúc 02/02: làm việc bình thường (Thông báo 6150/TB-LĐTBXH, 03/12/2024)"),
        work("2025-04-26", "Làm bù cho thứ Sáu 02/05/2025 (Thông báo 6150/TB-LĐTBXH, 03/12/2024)"),
        off("2025-05-02", "Hoán đổi ngày làm việc dịp 30/4–1/5/2025, làm bù thứ Bảy 26/04 (Thông báo 6150/TB-LĐTBXH, 03/12/2024)"),
        off("2025-09-01", "Quốc khánh 2025: ngày liền kề trước 2/9 (Thông báo 6150/TB-LĐTBXH, 03/12/2024)"),
    ]

    public static let year2026: [CalendarOverride] = [
        off("2026-01-02", "Tết Dương lịch 2026: hoán đổi thứ Sáu 02/01, làm bù thứ Bảy 10/01 (Công văn 12729/VPCP-KGVX, 25/12/2025)"),
        work("2026-01-10", "Làm bù cho thứ Sáu 02/01/2026 (Công văn 12729/VPCP-KGVX, 25/12/2025)"),
        off("2026-02-16", "Tết Âm lịch 2026: 29 tháng Chạp (Thông báo 9441/TB-BNV, 16/10/2025)"),
        off("2026-02-17", "Tết Âm lịch 2026: mùng 1 (Thông báo 9441/TB-BNV, 16/10/2025)"),
        off("2026-02-18", "Tết Âm lịch 2026: mùng 2 (Thông báo 9441/TB-BNV, 16/10/2025)"),
        off("2026-02-19", "Tết Âm lịch 2026: mùng 3 (Thông báo 9441/TB-BNV, 16/10/2025)"),
        off("2026-02-20", "Tết Âm lịch 2026: mùng 4 (Thông báo 9441/TB-BNV, 16/10/2025)"),
        work("2026-08-22", "Làm bù cho thứ Hai 31/08/2026 (Thông báo 9441/TB-BNV, 16/10/2025)"),
        off("2026-08-31", "Quốc khánh 2026: hoán đổi thứ Hai 31/08, làm bù thứ Bảy 22/08 (Thông báo 9441/TB-BNV, 16/10/2025)"),
        off("2026-09-01", "Quốc khánh 2026: ngày liền kề trước 2/9 (Thông báo 9441/TB-BNV, 16/10/2025)"),
    ]

    private static func off(_ date: String, _ reason: String) -> CalendarOverride {
        CalendarOverride(date: LocalDate(date)!, working: false, reason: reason)
    }

    private static func work(_ date: String, _ reason: String) -> CalendarOverride {
        CalendarOverride(date: LocalDate(date)!, working: true, reason: reason)
    }
}
