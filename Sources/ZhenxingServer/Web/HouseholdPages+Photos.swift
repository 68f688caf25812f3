import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingExchange
import ZhenxingStore

/// Photos as evidence of visits: uploaded to a visit, checked by content, kept in the database with a thumbnail
/// (so every server of a PostgreSQL deployment sees them and a backup holds them), shown only to those who may
/// read the household.
extension HouseholdPages {
    @Sendable func addPhoto(_ request: Request, context: AppRequestContext) async throws -> Response {
        let visit = context.parameters.get("id", as: Int.self)!
        guard let household = try await visits.household(ofVisit: visit) else { throw StoreError.notFound("visit \(visit)") }
        let stored = settings.workDirectory.appendingPathComponent("photo-\(UUID().uuidString.lowercased()).upload")
        defer { try? FileManager.default.removeItem(at: stored) }
        do {
            let form = try await MultipartUpload.read(request, to: stored, limit: Photo.byteLimit + 16_384, tooLarge: LocalizedText(
                zh: "照片超过 \(Photo.byteLimit >> 20) MB 上限：请压缩后再上传", en: "The photo is over the \(Photo.byteLimit >> 20) MB limit: shrink it first"))
            guard form.file != nil, let name = form.fileName else {
                throw ValidationFailure([FieldIssue(field: "photo", message: LocalizedText(zh: "请选择照片", en: "Choose a photo"))])
            }
            let bytes = try Data(contentsOf: stored)
            let photo = try await RosterImport.onThread { try Photo.check(bytes, fileName: name) }
            _ = try await visits.addPhoto(photo, visit: visit, by: context.actor)
            return Response(status: .seeOther, headers: [.location: "/households/\(household)#visits"])
        } catch let failure as ValidationFailure {
            return try await file(household, revealing: nil, visitError: failure.text(context.language), request: request, context: context, status: .badRequest)
        } catch let error as AppError where error.status == .contentTooLarge || error.status == .badRequest {
            return try await file(household, revealing: nil, visitError: error.message.text(context.language), request: request, context: context,
                                  status: error.status)
        }
    }

    @Sendable func photo(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await photoResponse(context, thumbnail: false)
    }

    @Sendable func thumbnail(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await photoResponse(context, thumbnail: true)
    }

    private func photoResponse(_ context: AppRequestContext, thumbnail: Bool) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let content = try await visits.photoContent(id, thumbnail: thumbnail)
        // Private: a household's photos are never kept by shared caches; the browser may keep them a day (they never change).
        return Response(status: .ok, headers: [.contentType: content.contentType, .cacheControl: "private, max-age=86400",
                                               .contentDisposition: "inline"],
                        body: .init(byteBuffer: ByteBuffer(bytes: content.bytes)))
    }

    @Sendable func removePhoto(_ request: Request, context: AppRequestContext) async throws -> Response {
        let visit = context.parameters.get("id", as: Int.self)!
        guard let photo = context.parameters.get("photo", as: Int.self) else {
            throw AppError(.badRequest, LocalizedText(zh: "没有这张照片", en: "No such photo"))
        }
        try await visits.removePhoto(photo, visit: visit, by: context.actor)
        let household = try await visits.household(ofVisit: visit) ?? 0
        return Response(status: .seeOther, headers: [.location: "/households/\(household)#visits"])
    }
}
