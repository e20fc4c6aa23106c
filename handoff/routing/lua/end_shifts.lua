-- End the shift of agents whose console has been gone longer than the grace: the lease
-- their live console renews (agents:console_until, ms) ran out, on every instance. They
-- leave routing as if they had gone offline, except that conversations they accepted stay
-- theirs (the customer keeps their agent; supervisors see them disconnected); offers not
-- yet accepted go back to the queue at their old place (score and wait kept). An agent
-- who kept some is listed in agents:disconnected from now (ms).
-- Atomic with a reconnect (renewed first: nothing happens) and with accept.lua (accepted
-- first: kept; withdrawn first: the accept finds the agent offline).
-- An agent on shift without a lease (signed in before leases existed) gets one grace.
-- ARGV: prefix, now (ms), grace (ms). Returns one entry per shift ended:
-- {agent, {offers withdrawn}, {conversations kept}, console last seen (ms)}.
local prefix, now, grace = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local leases = prefix .. 'agents:console_until'
local ended = {}
local on_shift = redis.call('SMEMBERS', prefix .. 'agents:on_shift')
table.sort(on_shift)
for _, aid in ipairs(on_shift) do
  local lease = tonumber(redis.call('ZSCORE', leases, aid))
  if lease == nil then
    redis.call('ZADD', leases, now + grace, aid)
  elseif lease <= now then
    local agent = prefix .. 'agent:' .. aid
    local chats = agent .. ':chats'
    local withdrawn, kept = {}, {}
    local held = redis.call('SMEMBERS', chats)
    table.sort(held)
    for _, cid in ipairs(held) do
      local conv = prefix .. 'conv:' .. cid
      local c = redis.call('HMGET', conv, 'status', 'agent', 'score')
      if c[1] == 'assigned' and c[2] == aid then
        redis.call('SREM', chats, cid)
        redis.call('HDEL', agent .. ':unread', cid)
        redis.call('HSET', conv, 'status', 'queued', 'agent', '', 'withdrawn_from', aid,
                   'withdrawn_at', now)
        redis.call('HDEL', conv, 'overflowed', 'overflowed_at')
        redis.call('ZADD', prefix .. 'queue', c[3], cid)
        withdrawn[#withdrawn + 1] = cid
      elseif c[1] == 'active' and c[2] == aid then
        kept[#kept + 1] = cid
      end
    end
    redis.call('SREM', prefix .. 'agents:on_shift', aid)
    redis.call('SREM', prefix .. 'agents:online', aid)
    redis.call('ZREM', leases, aid)
    redis.call('HSET', agent, 'presence', 'offline', 'presence_since', now,
               'active', redis.call('SCARD', chats), 'disconnected_at', lease - grace)
    -- Customers still waiting for them: return_disconnected.lua gives them back in time.
    if #kept > 0 then redis.call('ZADD', prefix .. 'agents:disconnected', now, aid) end
    ended[#ended + 1] = {aid, withdrawn, kept, lease - grace}
  end
end
return ended
