import sys
from heapq import heappush, heapreplace


def prefix_costs(values):
    """cost[k] = minimum work to make the first k values non-decreasing (slope trick)."""
    heap = []  # max-heap via negation
    total = 0
    cost = [0]
    append = cost.append
    for v in values:
        heappush(heap, -v)
        top = -heap[0]
        if top > v:
            total += top - v
            heapreplace(heap, -v)
        append(total)
    return cost


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    neg = [-int(x) for x in data[1:1 + n]]
    # first k terraces non-increasing <=> their negations non-decreasing
    left = prefix_costs(neg)
    # last n-k terraces non-decreasing <=> read from the east, their negations non-decreasing
    right = prefix_costs(neg[::-1])
    print(min(left[k] + right[n - k] for k in range(n + 1)))


main()
