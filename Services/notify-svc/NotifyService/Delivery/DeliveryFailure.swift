/// A failed attempt and whether another could succeed.
struct DeliveryFailure: Error, CustomStringConvertible {
    var permanent: Bool
    var description: String
}
