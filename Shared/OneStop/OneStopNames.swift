import DVCProto

/// The words citizens and officers know for the one-stop shop's states, actions, channels and
/// roles, written once: the printed documents of dossier-svc and the pages of the gateway's portal
/// and officer console use the same names (the national status names of docs/domain.md, "Dossier
/// states").
public enum OneStopNames {
    /// The national name of a state, e.g. "Đang xử lý" for 4.
    public static func state(_ state: DossierV1.DossierState) -> String {
        switch state {
        case .submitted: "Mới đăng ký"
        case .received: "Được tiếp nhận"
        case .notReceived: "Không được tiếp nhận"
        case .processing: "Đang xử lý"
        case .supplementRequested: "Yêu cầu bổ sung giấy tờ"
        case .awaitingPayment: "Yêu cầu thực hiện nghĩa vụ tài chính"
        case .withdrawn: "Công dân yêu cầu rút hồ sơ"
        case .stopped: "Dừng xử lý"
        case .processed: "Đã xử lý xong"
        case .resultReturned: "Đã trả kết quả"
        case .unspecified, .unrecognized: "Chưa xác định"
        }
    }

    /// What an action is called on the processing-control slip and on the console's buttons,
    /// e.g. "Tiếp nhận hồ sơ". The submission itself (no action) is "Nộp hồ sơ".
    public static func action(_ action: DossierV1.Action) -> String {
        switch action {
        case .receive: "Tiếp nhận hồ sơ"
        case .refuseReception: "Từ chối tiếp nhận hồ sơ"
        case .startProcessing: "Chuyển xử lý"
        case .requestSupplement: "Yêu cầu bổ sung, hoàn thiện hồ sơ"
        case .resubmit: "Bổ sung hồ sơ"
        case .requestPayment: "Yêu cầu thực hiện nghĩa vụ tài chính"
        case .confirmPayment: "Xác nhận hoàn thành nghĩa vụ tài chính"
        case .approve: "Phê duyệt kết quả"
        case .refuse: "Không giải quyết hồ sơ"
        case .returnResult: "Trả kết quả"
        case .withdraw: "Rút hồ sơ"
        case .apologize: "Xin lỗi và hẹn lại ngày trả kết quả"
        case .transfer: "Chuyển hồ sơ đến cơ quan có thẩm quyền"
        case .completeStep: "Hoàn thành bước liên thông, chuyển cơ quan tiếp theo"
        case .assign: "Phân công xử lý"
        case .unspecified, .unrecognized: "Nộp hồ sơ"
        }
    }

    /// How a dossier came in: "Trực tiếp", "Trực tuyến", "Qua dịch vụ bưu chính công ích".
    public static func channel(_ channel: DossierV1.Channel) -> String {
        switch channel {
        case .inPerson: "Trực tiếp"
        case .online: "Trực tuyến"
        case .postal: "Qua dịch vụ bưu chính công ích"
        case .nationalPortal: "Trực tuyến qua Cổng Dịch vụ công quốc gia"
        case .unspecified, .unrecognized: "Chưa xác định"
        }
    }

    /// Where the result is returned: "Tại Trung tâm …", "Qua dịch vụ bưu chính công ích", "Trực tuyến".
    public static func resultReturn(_ method: DossierV1.ReturnMethod) -> String {
        switch method {
        case .atCentre: "Tại bộ phận một cửa đã chọn"
        case .postal: "Qua dịch vụ bưu chính công ích"
        case .online: "Trực tuyến"
        case .unspecified, .unrecognized: "Tại nơi tiếp nhận hồ sơ"
        }
    }

    /// An officer's role: "Cán bộ tiếp nhận", "Cán bộ xử lý", "Lãnh đạo phê duyệt".
    public static func role(_ role: DossierV1.OfficerRole) -> String {
        switch role {
        case .receiver: "Cán bộ tiếp nhận"
        case .processor: "Cán bộ xử lý"
        case .approver: "Lãnh đạo phê duyệt"
        case .unspecified, .unrecognized: "Chưa xác định"
        }
    }

    /// The name of a one-stop document by its form number in the set of `circular`
    /// (`OneStopFormSet`: "05" is the 2018 control slip and the 2025 stop notice); "Mẫu số NN"
    /// for a number or circular this release does not know.
    public static func document(_ form: String, circular: String) -> String {
        guard let set = OneStopFormSet(circular: circular), let kind = set.form(number: form) else { return "Mẫu số \(form)" }
        return set.name(of: kind)
    }
}
