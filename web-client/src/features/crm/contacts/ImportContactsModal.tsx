import { Alert, Button, Group, Modal, Stepper, Text } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { useState } from 'react';
import { useClient } from 'urql';
import type { CrmImportReportFragment } from '../../../gql/graphql';
import { notifyError } from '../../../lib/notify';
import { useMutationAction } from '../../../lib/useMutationAction';
import { CsvInput } from '../shared/CsvInput';
import { ImportContacts, PreviewContactImport } from './documents';
import { ImportReportView } from './ImportReportView';

const EXAMPLE = 'phone,name,language,opted_in,opted_in_at,opt_in_source\n+34600000001,Ana García,es,true,2026-01-15,web form';

/** Paste or pick a CSV, preview what each line would do, then import the usable lines. */
export function ImportContactsModal({ opened, onClose, onImported }: { opened: boolean; onClose: () => void; onImported: () => void }) {
  const client = useClient();
  const [document, setDocument] = useState('');
  const [preview, setPreview] = useState<CrmImportReportFragment | null>(null);
  const [applied, setApplied] = useState<CrmImportReportFragment | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [importState, runImport] = useMutationAction(ImportContacts);
  const step = applied ? 2 : preview ? 1 : 0;

  function close() {
    setDocument('');
    setPreview(null);
    setApplied(null);
    onClose();
  }

  async function runPreview() {
    setPreviewing(true);
    const r = await client
      .query(PreviewContactImport, { document, format: 'CSV' }, { requestPolicy: 'network-only' })
      .toPromise();
    setPreviewing(false);
    if (r.error || !r.data) return notifyError(r.error, 'The preview failed');
    setPreview(r.data.previewContactImport);
  }

  async function confirm() {
    const data = await runImport({ document, format: 'CSV' });
    if (!data) return;
    setApplied(data.importContacts);
    onImported();
  }

  const usable = preview ? preview.created + preview.updated : 0;
  return (
    <Modal opened={opened} onClose={close} title="Import contacts" size="xl" closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stepper active={step} size="sm" mb="lg">
        <Stepper.Step label="Document" description="Paste or pick a CSV" />
        <Stepper.Step label="Preview" description="Check every line" />
        <Stepper.Step label="Imported" description="The outcome" />
      </Stepper>
      {step === 0 && (
        <>
          <CsvInput
            label="Contacts CSV"
            description="A header row naming phone (E.164), and any of name, language, opted_in, opted_in_at, opt_in_source, opted_out_at and attributes.<key>."
            value={document}
            onChange={setDocument}
            placeholder={EXAMPLE}
          />
          <Group justify="flex-end" mt="md">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button onClick={() => void runPreview()} loading={previewing} disabled={!document.trim()}>
              Preview import
            </Button>
          </Group>
        </>
      )}
      {step === 1 && preview && (
        <>
          <ImportReportView report={preview} />
          {preview.refused > 0 && (
            <Alert mt="md" color="yellow" variant="light" icon={<IconInfoCircle size={18} />}>
              Refused lines change nothing; the other lines import. Fix the document and preview again to include them.
            </Alert>
          )}
          <Group justify="space-between" mt="md">
            <Button variant="default" onClick={() => setPreview(null)}>
              Back to the document
            </Button>
            <Button onClick={() => void confirm()} loading={importState.fetching} disabled={usable === 0}>
              Import {usable} {usable === 1 ? 'contact' : 'contacts'}
            </Button>
          </Group>
        </>
      )}
      {step === 2 && applied && (
        <>
          <Text mb="sm" fw={500}>
            Imported: {applied.created} created, {applied.updated} updated.
          </Text>
          <ImportReportView report={applied} />
          <Group justify="flex-end" mt="md">
            <Button onClick={close}>Done</Button>
          </Group>
        </>
      )}
    </Modal>
  );
}
