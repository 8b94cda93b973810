// What a user of DVCClient needs without importing the platform's modules themselves: the
// messages (DVCProto: `DossierV1.SubmitDossierRequest`, ...) and how a call fails.
@_exported import DVCProto
@_exported import struct RPCCore.RPCError
@_exported import struct RPCCore.StatusCode
@_exported import struct Logging.Logger
