import { Button, Group, Stack, Switch, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { UpdateCsatMutation } from './documents';
import { useFormMutation } from '../shared/useFormMutation';

/** Whether resolving the queue's conversations asks for a 1–5 rating, and the question. */
export function CsatEditor({ queueId, initial }: { queueId: string; initial: { enabled: boolean; question: string } }) {
  const [enabled, setEnabled] = useState(initial.enabled);
  const [question, setQuestion] = useState(initial.question);
  const save = useFormMutation(UpdateCsatMutation, 'Satisfaction survey saved');
  const tooLong = question.length > 500;

  return (
    <Stack maw={640}>
      <Switch
        label="Ask for a rating when a conversation is resolved"
        description="Once per resolution, while the customer's 24-hour window is open: a list of five choices on Meta, a numbered reply on Twilio."
        checked={enabled}
        onChange={(e) => setEnabled(e.currentTarget.checked)}
      />
      <Textarea
        label="Question"
        autosize
        minRows={2}
        value={question}
        onChange={(e) => setQuestion(e.currentTarget.value)}
        error={tooLong ? 'At most 500 characters' : undefined}
      />
      <Text size="xs" c="dimmed">
        {question.length} / 500
      </Text>
      {save.error && <ErrorAlert error={save.error} title="Survey not saved" />}
      <Group justify="flex-end">
        <Button onClick={() => void save.run({ queueId, input: { enabled, question } })} loading={save.fetching} disabled={tooLong || !question.trim()}>
          Save survey
        </Button>
      </Group>
    </Stack>
  );
}
