/// The spanning-tree pivot of `NetworkSimplex`: LEMON's `findJoinNode`, `findLeavingArc`,
/// `changeFlow`, `updateTreeStructure` and `updatePotential` as POT 0.9.7 has them. The tree is
/// stored as parent, predecessor arc (and whether it points up, `forward`), a preorder thread
/// with its reverse, subtree sizes and the last node of each subtree in the thread.
extension NetworkSimplex {
    /// The first common ancestor of the entering arc's ends.
    func findJoinNode() {
        var u = source(inArc), v = target(inArc)
        while u != v {
            if succNum[u] < succNum[v] { u = parent[u] } else { v = parent[v] }
        }
        join = u
    }

    /// The leaving arc: the blocking arc met last going round the cycle in the direction of the
    /// entering arc (`<` on the first path, `<=` on the second). Returns whether it differs from
    /// the entering arc. The entering arc is always at its lower bound.
    func findLeavingArc() -> Bool {
        let first = source(inArc), second = target(inArc)
        delta = .infinity
        var result = 0
        var u = first
        while u != join {
            let d = forward[u] ? flow[pred[u]] : .infinity
            if d < delta { delta = d; uOut = u; result = 1 }
            u = parent[u]
        }
        u = second
        while u != join {
            let d = forward[u] ? .infinity : flow[pred[u]]
            if d <= delta { delta = d; uOut = u; result = 2 }
            u = parent[u]
        }
        if result == 1 { uIn = first; vIn = second } else { uIn = second; vIn = first }
        return result != 0
    }

    /// Sends `delta` round the cycle and updates the arc states.
    func changeFlow(_ change: Bool) {
        if delta > 0 {
            let val = delta
            flow[inArc] += val
            var u = source(inArc)
            while u != join { flow[pred[u]] += forward[u] ? -val : val; u = parent[u] }
            u = target(inArc)
            while u != join { flow[pred[u]] += forward[u] ? val : -val; u = parent[u] }
        }
        guard change else { leftAtUpperBound = true; return }
        scan[inArc] = .infinity
        scanChanged(inArc)
        let leaving = pred[uOut]
        if leaving < arcCount {
            if flow[leaving] == 0 { scan[leaving] = cost(leaving); scanChanged(leaving) } else { leftAtUpperBound = true }
        }
    }

    /// Re-hangs the subtree of `uOut` from the entering arc (LEMON's `updateTreeStructure`).
    func updateTreeStructure() {
        let oldRevThread = revThread[uOut], oldSuccNum = succNum[uOut], oldLastSucc = lastSucc[uOut]
        let vOut = parent[uOut]
        let dirtyCount = rethread(oldRevThread: oldRevThread)
        // Update _rev_thread using the new _thread values.
        for i in 0..<dirtyCount { let u = dirtyRevs[i]; revThread[Int(thread[u])] = u }
        // Update _pred, _forward, _last_succ and _succ_num for the stem nodes from uOut to uIn.
        var tmpSc = 0
        let tmpLs = lastSucc[uOut]
        var u = uOut
        while u != uIn {
            let w = parent[u]
            pred[u] = pred[w]
            forward[u] = !forward[w]
            tmpSc += succNum[u] - succNum[w]
            succNum[u] = tmpSc
            lastSucc[w] = tmpLs
            u = w
        }
        pred[uIn] = inArc
        forward[uIn] = uIn == source(inArc)
        succNum[uIn] = oldSuccNum
        updateLastSuccessors(vOut: vOut, oldRevThread: oldRevThread, oldLastSucc: oldLastSucc)
        // Update _succ_num from vIn to join and from vOut to join.
        u = vIn
        while u != join { succNum[u] += oldSuccNum; u = parent[u] }
        u = vOut
        while u != join { succNum[u] -= oldSuccNum; u = parent[u] }
    }

    /// The thread and parent changes along the stem; returns how many `dirtyRevs` were written.
    private func rethread(oldRevThread: Int) -> Int {
        var u = lastSucc[uIn]       // the last successor of uIn
        var right = Int(thread[u])       // the node after it
        let last = oldRevThread == vIn ? Int(thread[lastSucc[uOut]]) : Int(thread[vIn])
        thread[vIn] = Int32(uIn)
        var stem = uIn, parStem = vIn
        var dirty = 0
        dirtyRevs[dirty] = vIn; dirty += 1
        while stem != uOut {
            // Insert the next stem node into the thread list.
            let newStem = parent[stem]
            thread[u] = Int32(newStem)
            dirtyRevs[dirty] = u; dirty += 1
            // Remove the subtree of stem from the thread list.
            let w = revThread[stem]
            thread[w] = Int32(right)
            revThread[right] = w
            // Change the parent node and shift stem nodes.
            parent[stem] = parStem
            parStem = stem
            stem = newStem
            u = lastSucc[stem] == lastSucc[parStem] ? revThread[parStem] : lastSucc[stem]
            right = Int(thread[u])
        }
        parent[uOut] = parStem
        thread[u] = Int32(last)
        revThread[last] = u
        lastSucc[uOut] = u
        // Remove the subtree of uOut from the thread list, unless oldRevThread is vIn.
        if oldRevThread != vIn {
            thread[oldRevThread] = Int32(right)
            revThread[right] = oldRevThread
        }
        return dirty
    }

    /// `lastSucc` from `vIn` and from `vOut` towards the root.
    private func updateLastSuccessors(vOut: Int, oldRevThread: Int, oldLastSucc: Int) {
        var upLimitIn = -1, upLimitOut = -1
        if lastSucc[join] == vIn { upLimitOut = join } else { upLimitIn = join }
        var u = vIn
        while u != upLimitIn && lastSucc[u] == vIn { lastSucc[u] = lastSucc[uOut]; u = parent[u] }
        let replacement = join != oldRevThread && vIn != oldRevThread ? oldRevThread : lastSucc[uOut]
        u = vOut
        while u != upLimitOut && lastSucc[u] == oldLastSucc { lastSucc[u] = replacement; u = parent[u] }
    }

    /// Shifts the potentials of the moved subtree so that the entering arc's reduced cost is 0.
    func updatePotential() {
        let c = cost(pred[uIn])
        let sigma = forward[uIn] ? pi[vIn] - pi[uIn] - c : pi[vIn] - pi[uIn] + c
        let end = Int(thread[lastSucc[uIn]])
        var u = uIn
        while u != end {
            pi[u] += sigma
            columnDirty[u >> Self.tileShift] = true
            u = Int(thread[u])
        }
    }
}
