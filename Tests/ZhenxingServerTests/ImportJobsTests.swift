import Foundation
import Logging
import ServiceLifecycle
import Testing
import ZhenxingDomain
import ZhenxingExchange
@testable import ZhenxingServer

/// The imports are the application's tasks: a waiter hears of the end at once, and stopping the server cancels what
/// still runs and waits for it.
@Suite struct ImportJobsTests {
    func job(_ id: String, folder: URL) throws -> ImportJobs.Job {
        let header = TableRow(number: 1, cells: ["户编号", "姓名", "身份证号", "与户主关系"].map { Array($0.utf8) })
        let layout = try #require(RosterLayout.detect([header]))
        let village = try DivisionCode(validating: "411324104201")
        return ImportJobs.Job(id: id, division: village, username: "test", fileName: "x.csv", file: folder.appendingPathComponent("\(id).csv"),
                              started: Date(), options: RosterImport.Options(division: village, asOf: "2026-12-01"), layout: layout,
                              sheet: "", sheets: [], state: .running(.start))
    }

    @Test func aWaiterReturnsWhenTheJobEndsAndStoppingCancelsWhatRuns() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zx-jobs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let jobs = ImportJobs(folder: folder)
        let village = try DivisionCode(validating: "411324104201")
        jobs.add(try job("quick", folder: folder))
        jobs.add(try job("long", folder: folder))
        let group = ServiceGroup(services: [jobs], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // given: one import that ends when told, one that runs until it is cancelled
            let (release, released) = AsyncStream.makeStream(of: Void.self)
            jobs.launch("quick") {
                for await _ in release { break }
                jobs.update("quick") { $0.state = .failed(LocalizedText(zh: "结束", en: "ended")) }
            }
            jobs.launch("long") {
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(60)) }
                jobs.update("long") { $0.state = .failed(LocalizedText(zh: "已取消", en: "cancelled")) }
            }
            // when: a waiter gives up after its time, then another hears the end at once
            await jobs.ended("quick", within: .milliseconds(20))
            #expect(jobs.job("quick", in: village)?.state.hasEnded == false)
            released.yield()
            await jobs.ended("quick", within: .seconds(600))
            #expect(jobs.job("quick", in: village)?.state.hasEnded == true)
            // and the server stops: the long import is cancelled and awaited, and nothing new starts
            await group.triggerGracefulShutdown()
            try await tasks.next()
            if case .failed(let message)? = jobs.job("long", in: village)?.state { #expect(message.en == "cancelled") } else { Issue.record("the long import still runs") }
            jobs.add(try job("late", folder: folder))
            jobs.launch("late") { Issue.record("an import started after the server stopped") }
            if case .failed(let message)? = jobs.job("late", in: village)?.state { #expect(message.zh == "服务器正在关闭，导入未开始") } else { Issue.record("the late import was not refused") }
        }
    }
}
