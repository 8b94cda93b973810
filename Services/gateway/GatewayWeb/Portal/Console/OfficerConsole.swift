import GatewayDoor
import Hummingbird

/// The officers' console (`/can-bo/…`): server-rendered Vietnamese pages that work without
/// JavaScript and on a phone, for the one-stop shop's officers of one agency: sign-in, the work
/// queue, a dossier with the steps the officer's roles allow, the overdue list with the
/// apology form, statistics and the tracking book.
///
/// Everything reads and acts through the gateway's own methods, in-process (`GatewayClient`),
/// as the signed-in officer, so the console can do nothing the officer could not do through
/// the API: the agency, role, state and version checks are the same code.
struct OfficerConsole: GatewayRoutes {
    let officers: OfficerAccounts
    let sessions: SessionStore
    let gateway: GatewayClient
    let bodies: RequestBodies

    func add(to router: Router<GatewayRequestContext>) {
        let page = ConsoleDossierPage(gateway: gateway)
        ConsoleSignIn(officers: officers, sessions: sessions).add(to: router)
        ConsoleQueue(gateway: gateway, officers: officers).add(to: router)
        ConsoleAssign(gateway: gateway).add(to: router)
        ConsoleSignatures(gateway: gateway).add(to: router)
        page.add(to: router)
        ConsoleActions(gateway: gateway, page: page, bodies: bodies).add(to: router)
        ConsoleFees(gateway: gateway, page: page).add(to: router)
        ConsoleDownloads(gateway: gateway).add(to: router)
        ConsoleOverdue(gateway: gateway).add(to: router)
        ConsoleStatistics(gateway: gateway).add(to: router)
        ConsoleSatisfaction(gateway: gateway).add(to: router)
        ConsoleOfficerAdmin(officers: officers, keys: ConsoleAPIKeys(gateway: gateway)).add(to: router)
        ConsoleCounter(gateway: gateway, bodies: bodies).add(to: router)
    }
}
