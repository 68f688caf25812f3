import HTTPTypes
import Hummingbird
import NIOCore
import OpenAPIRuntime
import ZhenxingDomain
import ZhenxingExchange
import ZhenxingStore

/// An error with the status and the message a user sees, in both languages.
public struct AppError: Error, Sendable {
    /// The HTTP status it answers with.
    public let status: HTTPResponse.Status
    /// What the user is told.
    public let message: LocalizedText
    /// Field-level problems, for forms and API bodies.
    public let issues: [FieldIssue]

    /// Creates an error.
    public init(_ status: HTTPResponse.Status, _ message: LocalizedText, issues: [FieldIssue] = []) {
        self.status = status
        self.message = message
        self.issues = issues
    }

    /// A 404 for a page or record that does not exist.
    static func notFound(_ what: LocalizedText) -> AppError {
        AppError(.notFound, what)
    }

    /// A protected page or operation asked for without signing in.
    static let signInRequired = AppError(.unauthorized, LocalizedText(zh: "请先登录", en: "Please sign in"))

    /// Signed in, but the role or division does not allow it.
    static let forbidden = AppError(.forbidden, LocalizedText(
        zh: "您没有权限进行此操作", en: "You are not allowed to do this"))

    /// The user-facing form of any error thrown below the server; nil for unexpected ones (a 500).
    static func from(_ error: any Error) -> AppError? {
        switch error {
        case let error as ServerError:
            // The OpenAPI layer wraps what a handler threw, and its own failures to read the
            // request (no operation input yet): those are the caller's mistakes.
            if let known = from(error.underlyingError) { return known }
            guard error.operationInput == nil else { return nil }
            return AppError(.badRequest, LocalizedText(
                zh: "请求参数不对：\(error.causeDescription)", en: "Bad request: \(error.causeDescription)"))
        case is NIOTooManyBytesError:
            // A body over the limit the decoder collects (forms and JSON: 2 MB).
            return AppError(.contentTooLarge, LocalizedText(zh: "提交的内容太大", en: "The request is too large"))
        case is URLEncodedFormError:
            return AppError(.badRequest, LocalizedText(zh: "表单内容格式不对", en: "Malformed form"))
        case let error as DecodingError:
            return AppError(.badRequest, LocalizedText(zh: "请求内容格式不对：\(Self.path(error))", en: "Malformed request: \(Self.path(error))"))
        case let error as AppError:
            return error
        case let error as ExchangeError:
            return AppError(.badRequest, error.message)
        case let failure as ValidationFailure:
            return AppError(.badRequest, LocalizedText(zh: "提交的内容有误", en: "The submitted data is not valid"), issues: failure.issues)
        case StoreError.importRunning(let what, let since):
            let time = Timestamp.display(since)
            return AppError(.serviceUnavailable, LocalizedText(
                zh: "正在导入 \(what)（\(time) 开始），导入完成前暂不能保存修改；请稍后再试，已填写的内容可返回上一页找回",
                en: "An import of \(what) has been running since \(time); changes cannot be saved until it ends. Try again shortly (go back to keep what you typed)"))
        case StoreError.duplicate:
            return AppError(.conflict, LocalizedText(zh: "同样的记录刚刚已经登记（可能提交了两次）：请刷新页面查看",
                                                     en: "The same record was just stored (sent twice?): reload the page to see it"))
        case StoreError.notFound:
            return .notFound(LocalizedText(zh: "找不到这条记录", en: "No such record"))
        case StoreError.staleVersion(let expected, let current):
            return AppError(.conflict, LocalizedText(
                zh: "记录已被他人修改（您编辑的是第 \(expected) 版，当前为第 \(current) 版），请刷新后重新编辑",
                en: "The record was changed by someone else (you edited version \(expected), it is now \(current)); reload and edit again"))
        case let error as HTTPError:
            switch error.status {
            case .notFound: return .notFound(LocalizedText(zh: "页面不存在", en: "Page not found"))
            case .methodNotAllowed: return AppError(.methodNotAllowed, LocalizedText(zh: "不支持此操作", en: "Method not allowed"))
            case .contentTooLarge: return AppError(.contentTooLarge, LocalizedText(zh: "提交的内容太大", en: "The request is too large"))
            default:
                guard error.status.kind == .clientError else { return nil }
                return AppError(error.status, LocalizedText(zh: "请求无效", en: "Bad request"))
            }
        default:
            return nil
        }
    }

    /// The JSON path of a decoding failure, for the message.
    private static func path(_ error: DecodingError) -> String {
        let context: DecodingError.Context? = switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): context
        case .keyNotFound(let key, let context): DecodingError.Context(codingPath: context.codingPath + [key], debugDescription: "")
        @unknown default: nil
        }
        let path = context?.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") ?? ""
        return path.isEmpty ? "body" : path
    }
}
