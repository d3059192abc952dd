// The generated operations and types (`Client`, `Components.Schemas.*`, `UserResource`) are the
// library's vocabulary: a program that imports CipherscaleClient gets them without a second import.
@_exported import CipherscaleAPI
