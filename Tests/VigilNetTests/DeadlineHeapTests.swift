import Testing
@testable import VigilNet
import VigilModel

@Suite("Deadline heap")
struct DeadlineHeapTests {
    @Test("entries come out by deadline, equal deadlines in insertion order, and only once due")
    func order() {
        var heap = DeadlineHeap<Int>()
        var random = SeededRandom(seed: 9)
        var expected: [(deadline: UInt64, index: Int)] = []
        for index in 0..<500 {
            let deadline = UInt64.random(in: 1...50, using: &random)
            heap.push(index, at: deadline)
            expected.append((deadline, index))
        }
        expected.sort { ($0.deadline, $0.index) < ($1.deadline, $1.index) }
        #expect(heap.nextDeadline == expected[0].deadline)
        #expect(heap.popDue(now: 0) == nil)
        var out: [Int] = []
        while let (element, deadline) = heap.popDue(now: 25) {
            #expect(deadline <= 25)
            out.append(element)
        }
        #expect(heap.nextDeadline.map { $0 > 25 } ?? true)
        while let (element, _) = heap.popDue(now: .max) { out.append(element) }
        #expect(out == expected.map(\.index))
        #expect(heap.count == 0 && heap.nextDeadline == nil)
    }
}
