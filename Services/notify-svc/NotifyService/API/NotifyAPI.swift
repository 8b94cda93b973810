import DVCProto
import RPCCore
import Storage

/// `dvc.notify.v1.NotifyService` over RPC; every method takes the caller from `x-dvc-identity`.
struct NotifyAPI: RegistrableRPCService {
    typealias Service = NotifyV1.NotifyService

    let database: ServiceDatabase
    let templates: TemplateStore
    let inbox: InboxStore
    let preferences: ContactPreferenceStore

    func registerMethods(with router: inout RPCRouter) {
        router.register(Service.listInbox) { request, context in
            try await inbox.list(citizenID: NotifyCaller.citizen(context), request)
        }
        router.register(Service.markRead) { request, context in
            try await inbox.markRead(citizenID: NotifyCaller.citizen(context), messageID: request.messageId, agencyCode: request.agencyCode)
            return NotifyV1.MarkReadResponse()
        }
        router.register(Service.listTemplates) { _, context in
            try NotifyCaller.staff(context)
            var response = NotifyV1.ListTemplatesResponse()
            response.templates = try await templates.list()
            return response
        }
        router.register(Service.getTemplate) { request, context in
            try NotifyCaller.staff(context)
            return try await templates.get(key: request.key, version: request.version)
        }
        router.register(Service.putTemplate) { request, context in
            try await templates.put(request, by: NotifyCaller.admin(context))
        }
        router.register(Service.getContactPreferences) { _, context in
            try await preferences.get(citizenID: NotifyCaller.citizen(context))
        }
        router.register(Service.setContactPreferences) { request, context in
            try await preferences.set(citizenID: NotifyCaller.citizen(context), request)
        }
        router.register(Service.listDeliveries) { request, context in
            try NotifyCaller.operatorOrSystem(context)
            guard !request.dossierId.isEmpty || !request.citizenId.isEmpty else {
                throw RPCError.invalidArgument(field: "dossier_id", "name a dossier_id or a citizen_id")
            }
            var response = NotifyV1.ListDeliveriesResponse()
            response.deliveries = try await database.sqliteRead { db in
                try DeliveryQueue.list(dossierID: request.dossierId, citizenID: request.citizenId, db)
            }
            return response
        }
    }
}
