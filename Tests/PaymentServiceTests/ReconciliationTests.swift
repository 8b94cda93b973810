@testable import PaymentService
import Testing

@Suite struct ReconciliationTests {
    typealias Line = Reconciliation.Line

    @Test func aBalancedDayHasNoMismatch() throws {
        let lines = try Reconciliation.parse("order_id,transaction_no,amount_vnd,pay_date\nA,1,3000,20260101120000\nB,2,5000,20260101130000\n")
        #expect(lines == [Line(orderID: "A", transactionNo: "1", amountVnd: 3000), Line(orderID: "B", transactionNo: "2", amountVnd: 5000)])
        #expect(Reconciliation.compare(ledger: lines.reversed(), settlement: lines).isEmpty)
    }

    @Test func everyKindOfMismatchIsListed() {
        let ledger = [Line(orderID: "A", transactionNo: "1", amountVnd: 3000), Line(orderID: "C", transactionNo: "3", amountVnd: 8000)]
        let settlement = [Line(orderID: "A", transactionNo: "1", amountVnd: 3500), Line(orderID: "B", transactionNo: "2", amountVnd: 5000)]
        let mismatches = Reconciliation.compare(ledger: ledger, settlement: settlement)
        #expect(mismatches == [
            .amountDiffers(orderID: "A", ledgerVnd: 3000, settlementVnd: 3500),
            .missingInLedger(settlement[1]),
            .missingInSettlement(ledger[1]),
        ])
        #expect(mismatches.map(\.description)[0] == "amount differs: order A: ledger 3000 đồng, settlement 3500 đồng")
    }

    @Test func aBadLineIsNamed() {
        #expect(throws: Reconciliation.InvalidFile.self) { try Reconciliation.parse("order_id,transaction_no,amount_vnd\nA,1,ba nghin\n") }
        do {
            _ = try Reconciliation.parse("A,1,3000\n,2,5000\n")
            Issue.record("accepted an empty order id")
        } catch {
            #expect("\(error)".contains("line 2"))
        }
    }
}
