-- Hand a conversation from one agent to another agent (who must be online with
-- capacity, speaking the customer's language) or to a skill's queue (at its original place; no longer sticky).
-- ARGV: prefix, conversation id, from agent, 'agent' or 'skill', target, now (ms).
-- Returns {outcome}.
local prefix, cid, from, mode, target, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local conv = prefix .. 'conv:' .. cid
local c = redis.call('HMGET', conv, 'status', 'agent', 'score', 'language')
if c[2] ~= from or (c[1] ~= 'assigned' and c[1] ~= 'active') then return {'not_yours'} end
local online = prefix .. 'agents:online'
if mode == 'agent' then
  if target == from then return {'same_agent'} end
  if redis.call('SISMEMBER', online, target) == 0 then return {'target_not_online'} end
  local t = redis.call('HMGET', prefix .. 'agent:' .. target, 'max_chats', 'active', 'languages')
  if (tonumber(t[2]) or 0) >= (tonumber(t[1]) or 0) then return {'target_at_capacity'} end
  if not string.find(',' .. (t[3] or '') .. ',', ',' .. (c[4] or '') .. ',', 1, true) then
    return {'target_language'}
  end
end
redis.call('SREM', prefix .. 'agent:' .. from .. ':chats', cid)
-- The customer's unread messages leave with the conversation (to the new holder, as reassign.lua).
local unread = tonumber(redis.call('HGET', prefix .. 'agent:' .. from .. ':unread', cid)) or 0
redis.call('HDEL', prefix .. 'agent:' .. from .. ':unread', cid)
if tonumber(redis.call('HINCRBY', prefix .. 'agent:' .. from, 'active', -1)) < 0 then
  redis.call('HSET', prefix .. 'agent:' .. from, 'active', 0)
end
if mode == 'agent' then
  redis.call('SADD', prefix .. 'agent:' .. target .. ':chats', cid)
  redis.call('HINCRBY', prefix .. 'agent:' .. target, 'active', 1)
  if unread > 0 then redis.call('HINCRBY', prefix .. 'agent:' .. target .. ':unread', cid, unread) end
  redis.call('HSET', conv, 'status', 'assigned', 'agent', target, 'assigned_at', now,
             'transferred_from', from)
  -- Chosen by a colleague, not by overflow.
  redis.call('HDEL', conv, 'overflowed', 'overflowed_at')
  return {'transferred'}
end
redis.call('HSET', conv, 'status', 'queued', 'agent', '', 'skill', target, 'rm', '',
           'enqueued_at', now, 'transferred_from', from)
redis.call('ZADD', prefix .. 'queue', c[3], cid)
return {'queued'}
