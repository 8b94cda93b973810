/// The templates notify-svc starts with: version 1 of each key, inserted at start-up when the
/// key has no version yet (an officer's later edits are newer versions and win).
///
/// The keys are the event types that matter to a citizen; an event whose type has no template
/// (dossier.processing, payment.created, ...) is recorded as processed and tells no one.
enum DefaultTemplates {
    struct Entry: Sendable {
        var key: String
        var subject: String
        var body: String
        var sms: String
    }

    static let signature = "\n\nTrân trọng,\nHệ thống Dịch vụ công trực tuyến\n(Thư này được gửi tự động, vui lòng không trả lời.)"

    static let all: [Entry] = [
        Entry(
            key: "dossier.submitted",
            // Before reception there is no receipt code yet, only the dossier's id: it goes in
            // the body for reference, not in the subject a citizen reads first.
            subject: "Hồ sơ trực tuyến của Ông/Bà đã được gửi thành công",
            body: "Kính gửi {{ho_ten}},\n\nHồ sơ thủ tục {{thu_tuc}} của Ông/Bà đã được gửi tới cơ quan {{co_quan}} lúc {{thoi_gian}} (mã tham chiếu: {{ma_ho_so}}). Cơ quan sẽ xem xét và thông báo việc tiếp nhận hồ sơ cùng ngày hẹn trả kết quả." + signature,
            sms: "DVC: Ho so {{ma_ho_so}} da duoc gui toi co quan {{co_quan}}. Vui long cho thong bao tiep nhan."),
        Entry(
            key: "dossier.received",
            subject: "Hồ sơ {{ma_ho_so}} đã được tiếp nhận — hẹn trả kết quả {{ngay_hen_tra}}",
            body: "Kính gửi {{ho_ten}},\n\nHồ sơ thủ tục {{thu_tuc}} của Ông/Bà đã được tiếp nhận với mã hồ sơ {{ma_ho_so}}.\nNgày hẹn trả kết quả: {{ngay_hen_tra}}.\n\nÔng/Bà có thể tra cứu tình trạng hồ sơ bằng mã hồ sơ và mã tra cứu đã được cấp." + signature,
            sms: "DVC: Ho so {{ma_ho_so}} da duoc tiep nhan. Hen tra ket qua {{ngay_hen_tra}}."),
        Entry(
            key: "dossier.not-received",
            subject: "Hồ sơ {{ma_ho_so}} không được tiếp nhận",
            body: "Kính gửi {{ho_ten}},\n\nHồ sơ thủ tục {{thu_tuc}} của Ông/Bà không được tiếp nhận.\nLý do: {{ly_do}}\n\nÔng/Bà vui lòng hoàn thiện hồ sơ và nộp lại." + signature,
            sms: "DVC: Ho so {{ma_ho_so}} khong duoc tiep nhan. Ly do: {{ly_do}}"),
        Entry(
            key: "dossier.supplement-requested",
            subject: "Hồ sơ {{ma_ho_so}} cần bổ sung giấy tờ",
            body: "Kính gửi {{ho_ten}},\n\nĐể tiếp tục giải quyết hồ sơ {{ma_ho_so}}, đề nghị Ông/Bà bổ sung các giấy tờ sau:\n{{giay_to_thieu}}\n\nThời gian chờ bổ sung không tính vào thời hạn giải quyết." + signature,
            sms: "DVC: Ho so {{ma_ho_so}} can bo sung: {{giay_to_thieu}}"),
        Entry(
            key: "dossier.awaiting-payment",
            subject: "Hồ sơ {{ma_ho_so}}: đề nghị nộp phí, lệ phí",
            body: "Kính gửi {{ho_ten}},\n\nHồ sơ {{ma_ho_so}} đang chờ Ông/Bà thực hiện nghĩa vụ tài chính (phí, lệ phí). Ông/Bà có thể thanh toán trực tuyến trên Cổng Dịch vụ công." + signature,
            sms: "DVC: Ho so {{ma_ho_so}} cho nop phi, le phi. Vui long thanh toan truc tuyen."),
        Entry(
            key: "dossier.approved",
            subject: "Hồ sơ {{ma_ho_so}} đã có kết quả",
            body: "Kính gửi {{ho_ten}},\n\nHồ sơ {{ma_ho_so}} đã được giải quyết xong.\nKết quả: {{ket_qua}}\n\nÔng/Bà có thể nhận kết quả trực tuyến hoặc tại nơi nộp hồ sơ." + signature,
            sms: "DVC: Ho so {{ma_ho_so}} da co ket qua. {{ket_qua}}"),
        Entry(
            key: "dossier.refused",
            subject: "Hồ sơ {{ma_ho_so}} không được giải quyết",
            body: "Kính gửi {{ho_ten}},\n\nCơ quan {{co_quan}} đã dừng xử lý hồ sơ {{ma_ho_so}}.\nLý do: {{ly_do}}" + signature,
            sms: "DVC: Ho so {{ma_ho_so}} khong duoc giai quyet. Ly do: {{ly_do}}"),
        Entry(
            key: "dossier.result-returned",
            subject: "Hồ sơ {{ma_ho_so}} đã được trả kết quả",
            body: "Kính gửi {{ho_ten}},\n\nKết quả giải quyết hồ sơ {{ma_ho_so}} đã được trả cho Ông/Bà lúc {{thoi_gian}}. Cảm ơn Ông/Bà đã sử dụng dịch vụ công trực tuyến." + signature,
            sms: "DVC: Ho so {{ma_ho_so}} da tra ket qua."),
        Entry(
            key: "dossier.overdue",
            subject: "Hồ sơ {{ma_ho_so}} chậm so với ngày hẹn",
            body: "Kính gửi {{ho_ten}},\n\nHồ sơ {{ma_ho_so}} chưa được giải quyết xong trước ngày hẹn {{ngay_hen_tra}}. Cơ quan {{co_quan}} xin lỗi Ông/Bà và sẽ gửi thư xin lỗi kèm ngày hẹn trả kết quả mới." + signature,
            sms: "DVC: Ho so {{ma_ho_so}} cham so voi ngay hen {{ngay_hen_tra}}. Co quan se hen lai ngay tra ket qua."),
        Entry(
            key: "dossier.apology",
            subject: "Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ {{ma_ho_so}}",
            body: "Kính gửi {{ho_ten}},\n\nCơ quan {{co_quan}} chân thành xin lỗi Ông/Bà vì hồ sơ {{ma_ho_so}} chưa được giải quyết đúng hẹn.\nLý do: {{ly_do}}\nNgày hẹn trả kết quả mới: {{ngay_hen_tra}}." + signature,
            sms: "DVC: Xin loi Ong/Ba, ho so {{ma_ho_so}} hen tra lai vao {{ngay_hen_tra}}. Ly do: {{ly_do}}"),
        Entry(
            key: "payment.paid",
            subject: "Đã nhận thanh toán {{so_tien}} cho hồ sơ {{ma_ho_so}}",
            body: "Kính gửi {{ho_ten}},\n\nHệ thống đã nhận khoản thanh toán {{so_tien}} cho hồ sơ {{ma_ho_so}} lúc {{thoi_gian}}.\nSố biên lai điện tử: {{so_bien_lai}}." + signature,
            sms: "DVC: Da nhan {{so_tien}} cho ho so {{ma_ho_so}}. Bien lai {{so_bien_lai}}."),
        Entry(
            key: "payment.failed",
            subject: "Thanh toán cho hồ sơ {{ma_ho_so}} không thành công",
            body: "Kính gửi {{ho_ten}},\n\nGiao dịch thanh toán {{so_tien}} cho hồ sơ {{ma_ho_so}} không thành công.\nLý do: {{ly_do}}\n\nÔng/Bà vui lòng thực hiện lại thanh toán trên Cổng Dịch vụ công." + signature,
            sms: "DVC: Thanh toan {{so_tien}} cho ho so {{ma_ho_so}} khong thanh cong. Vui long thu lai."),
        Entry(
            key: "payment.expired",
            subject: "Giao dịch thanh toán hồ sơ {{ma_ho_so}} đã hết hạn",
            body: "Kính gửi {{ho_ten}},\n\nGiao dịch thanh toán {{so_tien}} cho hồ sơ {{ma_ho_so}} đã hết thời hạn mà chưa hoàn tất. Ông/Bà vui lòng tạo lại giao dịch thanh toán." + signature,
            sms: "DVC: Giao dich thanh toan ho so {{ma_ho_so}} da het han. Vui long thanh toan lai."),
        Entry(
            key: "payment.refunded",
            subject: "Hoàn trả {{so_tien}} cho hồ sơ {{ma_ho_so}}",
            body: "Kính gửi {{ho_ten}},\n\nKhoản phí {{so_tien}} của hồ sơ {{ma_ho_so}} đã được hoàn trả.\nLý do: {{ly_do}}" + signature,
            sms: "DVC: Da hoan tra {{so_tien}} cho ho so {{ma_ho_so}}."),
        Entry(
            key: "draft.expiring",
            subject: "Hồ sơ nháp của Ông/Bà sẽ bị xóa vào {{ngay_het_han}}",
            body: "Kính gửi {{ho_ten}},\n\nHồ sơ nháp thủ tục {{thu_tuc}} (cơ quan {{co_quan}}) của Ông/Bà chưa được nộp. Hồ sơ nháp cùng các tệp đã tải lên sẽ bị xóa vào {{ngay_het_han}}.\n\nĐể giữ hồ sơ, Ông/Bà hãy đăng nhập Cổng Dịch vụ công, mở mục “Hồ sơ nháp” và lưu lại hoặc nộp hồ sơ trước thời điểm đó." + signature,
            sms: "DVC: Ho so nhap thu tuc {{thu_tuc}} se bi xoa vao {{ngay_het_han}}. Dang nhap Cong DVC, muc Ho so nhap, de luu hoac nop."),
    ]

    static let keys: Set<String> = Set(all.map(\.key))
}
