import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestKit
import Testing

/// The seed a fresh catalog-svc loads, browsed on the portal through the real executables:
/// the two-tier city of 2025 by default, the three-tier city of 2020 on request
/// (docs/seed-catalog.md).
@Suite(.serialized, .timeLimit(.minutes(3))) struct SeedChoiceTests {
    static func get(_ root: String, _ path: String) async throws -> PortalPagesTests.Answer {
        try await PortalPagesTests.send(cookielessBrowser(), "GET", root + path)
    }

    @Test("a fresh start without a seed setting gives Hà Nội of 2025: 126 wards and communes with their centres, browsable on the portal")
    func defaultIsHaNoi2025() async throws {
        // DVC_SEED empty: as if unset, the default.
        try await withHTTPGateway(catalogEnvironment: ["DVC_SEED": ""]) { platform in
            #expect(platform.catalog.stderr.contains("hanoi-2025.json"), "\(platform.catalog.stderr)")
            let home = try await Self.get(platform.root, "/")
            #expect(home.status == 200)
            #expect(home.body.contains("UBND Phường Hoàn Kiếm"), "the agency picker lists the wards")

            let directory = try await Self.get(platform.root, "/co-quan")
            #expect(directory.status == 200)
            for name in ["UBND Thành phố Hà Nội", "Sở Nội vụ", "Sở Nông nghiệp và Môi trường", "UBND Phường Hoàn Kiếm",
                         "UBND Xã Bát Tràng", "UBND Xã Kim Anh", "Trung tâm Phục vụ hành chính công Thành phố Hà Nội",
                         "Trung tâm Phục vụ hành chính công phường Cửa Nam", "Công an phường Ba Đình",
                         "Bảo hiểm xã hội Thành phố Hà Nội"] {
                #expect(directory.body.contains(name), "\(name) is not on /co-quan")
            }
            #expect(directory.body.components(separatedBy: "<li class=\"depth1\"><a href=\"/thu-tuc?co_quan=000.").count - 1 >= 126 + 13)
            #expect(!directory.body.contains("Quận "), "no districts after 1 July 2025")
            // A ward under the city (depth 1), its centre under it (depth 2).
            #expect(directory.body.contains("<li class=\"depth1\"><a href=\"/thu-tuc?co_quan=000.01.40.H26\">UBND Phường Hoàn Kiếm</a></li>"))
            #expect(directory.body.contains("<li class=\"depth2\"><a href=\"/thu-tuc?co_quan=000.01.41.H26\">"))

            // What a ward offers, including procedures a district did before 2025.
            let ward = try await Self.get(platform.root, "/thu-tuc?co_quan=000.01.40.H26")
            #expect(ward.status == 200)
            #expect(ward.body.contains("Đăng ký khai sinh"))
            #expect(ward.body.contains("Đăng ký khai sinh có yếu tố nước ngoài") || ward.body.contains("trang="),
                    "a district's procedure now at the ward")
            let procedure = try await Self.get(platform.root, "/thu-tuc/HN-HT-104")
            #expect(procedure.status == 200)
            #expect(procedure.body.contains("UBND Xã Bát Tràng"))
            #expect(procedure.body.contains("Nghị định 120/2025/NĐ-CP"))
            let residence = try await Self.get(platform.root, "/thu-tuc/HN-CA-001")
            #expect(residence.status == 200 && residence.body.contains("Công an phường Hoàn Kiếm"))
        }
    }

    @Test("DVC_SEED=hanoi-2020 gives the three-tier city of 2020 on the portal")
    func hanoi2020OnRequest() async throws {
        try await withHTTPGateway(catalogEnvironment: ["DVC_SEED": "hanoi-2020"]) { platform in
            #expect(platform.catalog.stderr.contains("catalog.json"), "\(platform.catalog.stderr)")
            let directory = try await Self.get(platform.root, "/co-quan")
            #expect(directory.status == 200)
            #expect(directory.body.contains("<li class=\"depth1\"><a href=\"/thu-tuc?co_quan=000.00.20.H26\">UBND Quận Ba Đình</a></li>"))
            #expect(directory.body.contains("<li class=\"depth2\"><a href=\"/thu-tuc?co_quan=000.01.20.H26\">UBND Phường Phúc Xá</a></li>"))
            #expect(!directory.body.contains("Trung tâm Phục vụ hành chính công"))
            let ward = try await Self.get(platform.root, "/thu-tuc?co_quan=000.01.20.H26")
            #expect(ward.status == 200 && ward.body.contains("Đăng ký khai sinh"))
        }
    }
}
