import Testing

@testable import BgxferCore

@Suite struct TaskStateMachineTests {
    @Test func aDownloadRunsToCompletion() {
        #expect(TaskStateMachine.next(after: .queued, on: .start) == .running)
        #expect(TaskStateMachine.next(after: .running, on: .complete) == .completed)
    }

    @Test func aRunningTaskCanFailBeCanceledSuspendedOrLoseItsWorker() {
        #expect(TaskStateMachine.next(after: .running, on: .fail) == .failed)
        #expect(TaskStateMachine.next(after: .running, on: .cancel) == .canceled)
        #expect(TaskStateMachine.next(after: .running, on: .suspend) == .suspended)
        #expect(TaskStateMachine.next(after: .running, on: .workerLost) == .queued)
    }

    @Test(arguments: [TaskState.completed, .canceled])
    func endedTasksAcceptNothing(state: TaskState) {
        for event in [TaskEvent.start, .complete, .fail, .cancel, .suspend, .resume, .workerLost, .retry, .hold] {
            #expect(TaskStateMachine.next(after: state, on: event) == nil, "\(state) accepted \(event)")
        }
    }

    @Test func onlyARunningTaskCompletes() {
        for state in TaskState.allCases where state != .running {
            #expect(TaskStateMachine.next(after: state, on: .complete) == nil)
        }
    }

    @Test func aCanceledTaskCannotBeCompletedByAWorkerThatFinishesLate() {
        #expect(throws: BgxferError("task abcdef is canceled: cannot complete it")) {
            try TaskStateMachine.transition(TaskID("abcdef"), from: .canceled, on: .complete)
        }
    }

    @Test func resumeAppliesToSuspendedAndFailedTasks() {
        #expect(TaskStateMachine.next(after: .suspended, on: .resume) == .queued)
        #expect(TaskStateMachine.next(after: .failed, on: .resume) == .queued)
        #expect(TaskStateMachine.next(after: .running, on: .resume) == nil)
        // A suspended task whose beginning is still to come waits for it again; only then.
        #expect(TaskStateMachine.next(after: .suspended, on: .resumeScheduled) == .scheduled)
        #expect(TaskStateMachine.next(after: .failed, on: .resumeScheduled) == nil)
    }

    @Test func aScheduledTaskIsQueuedWhenDueAndMayBeSuspendedOrCanceled() {
        #expect(TaskStateMachine.next(after: .scheduled, on: .due) == .queued)
        #expect(TaskStateMachine.next(after: .scheduled, on: .start) == nil)
        #expect(TaskStateMachine.next(after: .scheduled, on: .suspend) == .suspended)
        #expect(TaskStateMachine.next(after: .scheduled, on: .cancel) == .canceled)
        #expect(TaskStateMachine.next(after: .queued, on: .due) == nil)
    }

    @Test func aTaskThatCannotRunNowWaitsAndStartsAgainFromWaiting() {
        for state in [TaskState.queued, .running, .waiting] {
            #expect(TaskStateMachine.next(after: state, on: .hold) == .waiting)
        }
        for state in [TaskState.scheduled, .suspended, .failed] {
            #expect(TaskStateMachine.next(after: state, on: .hold) == nil)
        }
        #expect(TaskStateMachine.next(after: .waiting, on: .start) == .running)
        #expect(TaskStateMachine.next(after: .waiting, on: .suspend) == .suspended)
        #expect(TaskStateMachine.next(after: .waiting, on: .cancel) == .canceled)
    }

    @Test func terminalAndWorkerStatesAreConsistent() {
        for state in TaskState.allCases {
            #expect(!(state.isTerminal && state.needsWorker))
            #expect(TaskState.live.contains(state) == !state.isTerminal)
        }
    }
}
