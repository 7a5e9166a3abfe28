import sys
import heapq


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    p = map(int, data[1:2 * n + 1:2])
    d = map(int, data[2:2 * n + 1:2])
    # sort by deadline; pack (deadline, duration) into one integer (durations < 2^20)
    keys = sorted([(dl << 20) | dur for dur, dl in zip(p, d)])
    heap = []  # negated durations of accepted orders
    time = 0
    push, pushpop = heapq.heappush, heapq.heappushpop
    mask = (1 << 20) - 1
    for k in keys:
        dur = k & mask
        time += dur
        if time > k >> 20:
            time += pushpop(heap, -dur)  # removes the longest accepted order (maybe this one)
        else:
            push(heap, -dur)
    print(len(heap))


main()
